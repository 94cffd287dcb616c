// Resumable uploads into a slot, an item or an assignment: drop files or choose them with a button
// (reached by Tab, opened by Enter or Space), a queue with progress (announced to screen readers at
// every tenth and change of state), pause, resume and cancel, and the uploads an earlier visit left
// unfinished. A file the slot does not take is refused here, before a byte is sent, with the reason.
import { useRevalidator } from '@remix-run/react';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useOnline } from '../../hooks/use-online.ts';
import {
  useUnfinishedUploads,
  useUploadQueue,
  type UploadEntry,
  type UploadTarget,
} from '../../hooks/use-upload-queue.ts';
import { UploadRow } from './upload-row.tsx';
import type { SlotKind } from '../../../db/schema.ts';
import { acceptAttribute, refusalFor } from '../../../server/common/file-kinds.ts';

export type { UploadTarget };

/** Files dropped on the box or chosen with its button (a real button: Tab reaches it, Enter opens the picker). */
function Dropzone({
  label,
  accept,
  multiple,
  onFiles,
}: {
  label: string;
  accept?: string;
  multiple: boolean;
  onFiles: (files: File[]) => void;
}) {
  const { t } = useTranslation();
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  return (
    <div
      className={`dropzone${dragging ? ' dragging' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        onFiles(Array.from(event.dataTransfer.files));
      }}
    >
      {/* The accessible name starts with the visible words (axe: label-content-name-mismatch). */}
      <button
        type="button"
        className="choose-files"
        aria-label={`${t('upload.choose')}: ${label}`}
        onClick={() => inputRef.current?.click()}
      >
        {t('upload.choose')}
      </button>{' '}
      <span className="muted">{t('upload.drop')}</span>
      <input
        ref={inputRef}
        type="file"
        multiple={multiple}
        hidden
        aria-label={label}
        accept={accept}
        onChange={(event) => {
          onFiles(Array.from(event.currentTarget.files ?? []));
          event.currentTarget.value = '';
        }}
      />
    </div>
  );
}

/** The queue's state for screen readers: each file's state, and its progress at every tenth. */
function UploadAnnouncer({ entries }: { entries: UploadEntry[] }) {
  const { t } = useTranslation();
  const announcement = entries
    .map((entry) => {
      const tenth = entry.file.size ? Math.floor((entry.sent / entry.file.size) * 10) * 10 : 0;
      return `${entry.file.name}: ${t(`upload.${entry.status}`)}${entry.status === 'uploading' ? ` ${tenth}%` : ''}`;
    })
    .join('; ');
  return (
    <p className="visually-hidden" role="status" aria-live="polite">
      {announcement}
    </p>
  );
}

export function Uploader({
  cabinetId,
  slotId,
  itemId,
  assignmentId,
  replacesFileId,
  chunkSize,
  label,
  slotKind = null,
}: UploadTarget & { chunkSize: number; label: string; slotKind?: SlotKind | null }) {
  // A stable object, so effects run once per target and not on every render.
  const [target] = useState<UploadTarget>(() => ({ cabinetId, slotId, itemId, assignmentId, replacesFileId }));
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const online = useOnline();
  const { unfinished, finished } = useUnfinishedUploads(target);
  const onDone = (file: File) => {
    finished(file.name);
    revalidator.revalidate();
  };
  const { entries, add, pause, resume, cancel } = useUploadQueue({
    target,
    chunkSize,
    onDone,
    fallbackError: t('errors.unexpected'),
  });
  const [refused, setRefused] = useState<string[]>([]);
  // Assignments have their own rules (the server's answer names them); a slot's kind is checked here.
  const choose = (files: File[]) => {
    const judged = files.map((file) => ({ file, refusal: assignmentId ? null : refusalFor(file.name, slotKind) }));
    setRefused(judged.flatMap(({ file, refusal }) => (refusal ? [t(refusal, { name: file.name })] : [])));
    add(judged.flatMap(({ file, refusal }) => (refusal ? [] : [file])));
  };

  return (
    <div className="uploader">
      <Dropzone
        label={label}
        accept={assignmentId ? undefined : acceptAttribute(slotKind)}
        multiple={!replacesFileId}
        onFiles={(files) => choose(replacesFileId ? files.slice(0, 1) : files)}
      />
      {refused.map((message) => (
        <p key={message} className="form-error" role="alert" data-testid="upload-refused">
          {message}
        </p>
      ))}
      <UploadAnnouncer entries={entries} />
      {!online ? <p className="notice">{t('upload.offline')}</p> : null}
      {unfinished.map((u) => (
        <p key={u.name} className="notice" data-testid="unfinished-upload">
          {t('upload.unfinished', { name: u.name, percent: u.percent })}
        </p>
      ))}
      <ul className="upload-list">
        {entries.map((entry) => (
          <UploadRow
            key={entry.key}
            entry={entry}
            onPause={() => pause(entry)}
            onResume={() => resume(entry)}
            onCancel={() => cancel(entry)}
          />
        ))}
      </ul>
    </div>
  );
}
