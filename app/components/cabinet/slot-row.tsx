// A plan slot: what it is and when it is due, whether it is overdue or missing (for those who see the
// plan), the item delivered in it, and for the instructor the forms and the upload that fill it.
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
        <span className="muted">{t('cabinet.due', { date: formatDate(slot.dueAt, t, page.term.timeZone) })}</span>
        {page.seesPlan && slot.state === 'overdue' ? (
          <span className="badge overdue" data-testid="slot-overdue">
            {t('cabinet.overdue')}
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
          chunkSize={chunkSize}
          label={`${t('cabinet.upload')}: ${label}`}
        />
      ) : null}
    </li>
  );
}
