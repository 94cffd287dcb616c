// A plan slot: what it is and, for those who see the plan, when it is due, whether it is overdue
// (and why) or missing, or was delivered late; the item delivered in it, and for the instructor the forms and the upload that fill it.
import { useTranslation } from 'react-i18next';
import type { CabinetItemView, CabinetPage, CabinetSlotView } from '../../../server/cabinets/cabinet-page.ts';
import { formatDate } from '../../../server/common/format.ts';
import { Uploader } from '../upload/uploader.tsx';
import { AssignmentForm, QuizForm } from './assessment-forms.tsx';
import { ItemBlock } from './item-block.tsx';

export function SlotRow({
  slot,
  item,
  page,
  chunkSize,
}: {
  slot: CabinetSlotView;
  item?: CabinetItemView;
  page: CabinetPage;
  chunkSize: number;
}) {
  const { t } = useTranslation();
  const label = `${t(`slotKind.${slot.kind}`)} ${slot.number}`;
  return (
    <li className={`slot ${slot.kind}`} data-testid="slot" data-slot-kind={slot.kind} data-slot-number={slot.number}>
      <div className="slot-head">
        <span className="slot-kind">{slot.title ?? label}</span>
        {page.seesPlan ? (
          // The plan's due date is the instructor's, not the students' (theirs are on assignments and tests).
          <span className="muted">{t('cabinet.due', { date: formatDate(slot.dueAt, t, page.term.timeZone) })}</span>
        ) : null}
        {page.seesPlan && slot.state === 'overdue' ? (
          <span className="badge overdue" data-testid="slot-overdue" data-reason={slot.reason}>
            {t('cabinet.overdue')}: {t(`cabinet.overdueReason.${slot.reason ?? 'missing'}`)}
          </span>
        ) : null}
        {page.seesPlan && slot.state === 'delivered' && slot.late ? (
          <span className="badge late" data-testid="slot-late">
            {t('cabinet.late')}
          </span>
        ) : null}
        {page.seesPlan && slot.state === 'open' && !item ? (
          <span className="badge missing">{t('cabinet.missing')}</span>
        ) : null}
      </div>
      {item ? <ItemBlock item={item} page={page} chunkSize={chunkSize} /> : null}
      {page.canEdit && slot.kind === 'interim_assessment' && !item ? (
        <>
          <AssignmentForm slotId={slot.id} />
          <QuizForm slotId={slot.id} />
        </>
      ) : null}
      {page.canEdit ? (
        <Uploader
          cabinetId={page.id}
          slotId={slot.id}
          slotKind={slot.kind}
          chunkSize={chunkSize}
          label={`${t('cabinet.upload')}: ${label}`}
        />
      ) : null}
    </li>
  );
}
