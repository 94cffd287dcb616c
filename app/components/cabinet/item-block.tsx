// An item of a cabinet: its title and state (editable by the instructor), its description, the
// assignment or test it is, its files, and for the instructor publish and upload.
import { Form, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CabinetItemView, CabinetPage } from '../../../server/cabinets/cabinet-page.ts';
import { LocalTime } from '../local-time.tsx';
import { Uploader } from '../upload/uploader.tsx';
import { FileRow } from './file-row.tsx';
import { formatBytes } from '../../../server/common/format.ts';

type ItemProps = { item: CabinetItemView; page: CabinetPage; chunkSize: number };

const slotKindOf = (page: CabinetPage, item: CabinetItemView) =>
  page.slots.find((slot) => slot.id === item.slotId)?.kind ?? null;

/** The files newer versions replaced: the item's history, for the instructor and the staff. */
function Versions({ item, timeZone }: { item: CabinetItemView; timeZone: string }) {
  const { t } = useTranslation();
  if (!item.versions.length) return null;
  return (
    <details className="versions" data-testid="versions">
      <summary>{t('removal.versions', { count: item.versions.length })}</summary>
      <ul>
        {item.versions.map((version) => (
          <li key={version.id}>
            {version.name} <span className="muted">{formatBytes(version.byteSize, t)}</span> · {t('removal.replacedAt')}{' '}
            <LocalTime iso={version.replacedAt} termZone={timeZone} />
          </li>
        ))}
      </ul>
    </details>
  );
}

function TitleForm({ item, onDone }: { item: CabinetItemView; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <Form method="post" className="inline-form" onSubmit={onDone}>
      <input type="hidden" name="intent" value="update-item" />
      <input type="hidden" name="itemId" value={item.id} />
      <input name="title" defaultValue={item.title} required maxLength={200} aria-label={t('cabinet.itemTitle')} />
      <input
        name="description"
        defaultValue={item.description}
        maxLength={5000}
        aria-label={t('cabinet.itemDescription')}
      />
      <button type="submit">{t('cabinet.save')}</button>
      <button type="button" onClick={onDone}>
        {t('cabinet.cancel')}
      </button>
    </Form>
  );
}

function ItemTitle({ item, page }: { item: CabinetItemView; page: CabinetPage }) {
  const { t } = useTranslation();
  return (
    <>
      <strong>{item.title}</strong>
      {page.canEdit ? <span className={`badge ${item.status}`}>{t(`cabinet.${item.status}`)}</span> : null}
      {item.reused && page.seesPlan ? (
        <span className="badge reused" data-testid="reused">
          {t('reuse.badge')}
        </span>
      ) : null}
    </>
  );
}

/** The assignment or the online test the item is, with its deadline in the viewer's zone. */
function AssessmentLinks({ item, timeZone }: { item: CabinetItemView; timeZone: string }) {
  const { t } = useTranslation();
  return (
    <>
      {item.assignment ? (
        <p>
          <a href={`/assignments/${item.assignment.id}`} data-testid="assignment-link">
            {t('assignment.open')}
          </a>{' '}
          <span className="muted">
            {t('assignment.due')} <LocalTime iso={item.assignment.dueAt} termZone={timeZone} />
          </span>
        </p>
      ) : null}
      {item.quiz ? (
        <p>
          <a href={`/quizzes/${item.quiz.id}`} data-testid="quiz-link">
            {t('quiz.open')}
          </a>{' '}
          <span className="muted">
            {t('quiz.closes')} <LocalTime iso={item.quiz.closesAt} termZone={timeZone} />
          </span>
        </p>
      ) : null}
    </>
  );
}

function ItemActions({ item, editing, onEdit }: { item: CabinetItemView; editing: boolean; onEdit: () => void }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  return (
    <div className="actions">
      {!editing ? (
        <button type="button" onClick={onEdit}>
          {t('cabinet.edit')}
        </button>
      ) : null}
      <Form method="post" className="inline-form">
        <input type="hidden" name="itemId" value={item.id} />
        <button
          type="submit"
          name="intent"
          value={item.status === 'published' ? 'unpublish' : 'publish'}
          disabled={busy}
        >
          {item.status === 'published' ? t('cabinet.unpublish') : t('cabinet.publish')}
        </button>
        <button type="submit" name="intent" value="remove-item" disabled={busy} data-testid="remove-item">
          {t('removal.removeItem')}
        </button>
      </Form>
    </div>
  );
}

export function ItemBlock({ item, page, chunkSize }: ItemProps) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  return (
    <div className="item" id={`item-${item.id}`} data-testid="item">
      <div className="item-head">
        {editing ? <TitleForm item={item} onDone={() => setEditing(false)} /> : <ItemTitle item={item} page={page} />}
      </div>
      {item.description && !editing ? <p className="description">{item.description}</p> : null}
      <AssessmentLinks item={item} timeZone={page.term.timeZone} />
      <ul className="files">
        {item.files.map((file) => (
          <FileRow
            key={file.id}
            file={file}
            replace={
              page.canEdit ? { cabinetId: page.id, itemId: item.id, slotKind: slotKindOf(page, item), chunkSize } : null
            }
          />
        ))}
      </ul>
      <Versions item={item} timeZone={page.term.timeZone} />
      {page.canEdit ? <ItemActions item={item} editing={editing} onEdit={() => setEditing(true)} /> : null}
      {page.canEdit && !item.slotId ? (
        <Uploader
          cabinetId={page.id}
          itemId={item.id}
          chunkSize={chunkSize}
          label={`${t('cabinet.upload')}: ${item.title}`}
        />
      ) : null}
    </div>
  );
}
