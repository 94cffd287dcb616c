// One file of an item: its download link and size; for a lecture its processing state, queue place
// and time left, the watch link, a failure with Retry, and the captions form; for the instructor
// Remove (restorable under "recently removed") and Replace (a newer version; the old one is kept as
// the item's history).
import { Form, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SlotKind } from '../../../db/schema.ts';
import { Uploader } from '../upload/uploader.tsx';
import type { CabinetFileView } from '../../../server/cabinets/cabinet-page.ts';
import { formatBytes, formatDuration } from '../../../server/common/format.ts';
import { CaptionForm } from './caption-form.tsx';

/** "processing 40% · 3 ahead · about 2 min left", as the file's state has it. */
function ProcessingBadge({ file }: { file: CabinetFileView }) {
  const { t } = useTranslation();
  if (file.processingState === 'none') return null;
  return (
    <span className={`badge ${file.processingState}`} data-testid="file-state" data-state={file.processingState}>
      {t(`fileState.${file.processingState}`)}
      {file.processingState === 'processing' && file.processingProgress !== null
        ? ` ${Math.round(file.processingProgress * 100)}%`
        : ''}
      {file.processingState === 'awaiting' && file.ahead !== null
        ? ` · ${t('video.ahead', { count: file.ahead })}`
        : ''}
      {file.secondsLeft !== null && file.processingState === 'processing'
        ? ` · ${t('video.timeLeft', { time: formatDuration(file.secondsLeft, t) })}`
        : ''}
    </span>
  );
}

/** A playable lecture whose better qualities are still being made. */
function ImprovingNote({ file }: { file: CabinetFileView }) {
  const { t } = useTranslation();
  if (!file.improving) return null;
  return (
    <span className="muted" data-testid="file-improving">
      {' '}
      {file.ahead !== null
        ? t('video.improvingQueued', { count: file.ahead })
        : t('video.improving', { percent: Math.round((file.processingProgress ?? 0) * 100) })}
      {file.secondsLeft !== null ? ` · ${t('video.timeLeft', { time: formatDuration(file.secondsLeft, t) })}` : ''}
    </span>
  );
}

/** Where a newer version of a file goes: its item, in its cabinet, taking the slot's kinds. */
export type ReplaceTarget = { cabinetId: string; itemId: string; slotKind: SlotKind | null; chunkSize: number };

function FileEditActions({ file, replace }: { file: CabinetFileView; replace: ReplaceTarget }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  const [replacing, setReplacing] = useState(false);
  return (
    <>
      <Form method="post" className="inline-form file-actions">
        <input type="hidden" name="fileId" value={file.id} />
        <button type="submit" name="intent" value="remove-file" disabled={busy} data-testid="remove-file">
          {t('removal.remove')}
        </button>
        <button
          type="button"
          onClick={() => setReplacing(!replacing)}
          aria-expanded={replacing}
          data-testid="replace-file"
        >
          {t('removal.replace')}
        </button>
      </Form>
      {replacing ? (
        <Uploader
          cabinetId={replace.cabinetId}
          itemId={replace.itemId}
          replacesFileId={file.id}
          slotKind={replace.slotKind}
          chunkSize={replace.chunkSize}
          label={`${t('removal.replace')}: ${file.name}`}
        />
      ) : null}
    </>
  );
}

export function FileRow({ file, replace }: { file: CabinetFileView; replace: ReplaceTarget | null }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  const canEdit = replace !== null;
  return (
    <li>
      <a href={`/files/${file.id}`} download={file.name} data-testid="file-link">
        {file.name}
      </a>{' '}
      <span className="muted">{formatBytes(file.byteSize, t)}</span>
      <ProcessingBadge file={file} />
      <ImprovingNote file={file} />
      {file.processingState === 'ready' ? (
        <>
          {' '}
          <a href={`/watch/${file.id}`} className="watch" data-testid="watch-link">
            {t('video.watch')}
          </a>
        </>
      ) : null}
      {file.failure ? <span className="error">{t(file.failure.key, file.failure.params)}</span> : null}
      {canEdit && file.processingState === 'failed' ? (
        <Form method="post" className="inline-form">
          <input type="hidden" name="fileId" value={file.id} />
          <button type="submit" name="intent" value="retry-processing" disabled={busy} data-testid="retry">
            {t('video.retry')}
          </button>
        </Form>
      ) : null}
      {canEdit && file.processingState === 'ready' ? <CaptionForm fileId={file.id} captions={file.captions} /> : null}
      {replace ? <FileEditActions file={file} replace={replace} /> : null}
    </li>
  );
}
