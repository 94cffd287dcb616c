// Resumable uploads into a slot, an item or an assignment: drop or choose files, a queue with
// progress, pause, resume and cancel, and the uploads an earlier visit left unfinished.
import { useRevalidator } from '@remix-run/react';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useOnline } from '../../hooks/use-online.ts';
import { useUnfinishedUploads, useUploadQueue, type UploadTarget } from '../../hooks/use-upload-queue.ts';
import { UploadRow } from './upload-row.tsx';

export type { UploadTarget };

export function Uploader({
  cabinetId,
  slotId,
  itemId,
  assignmentId,
  chunkSize,
  label,
}: UploadTarget & { chunkSize: number; label: string }) {
  // A stable object, so effects run once per target and not on every render.
  const [target] = useState<UploadTarget>(() => ({ cabinetId, slotId, itemId, assignmentId }));
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
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const choose = (files: FileList | null) => {
    if (files) add(Array.from(files));
    if (inputRef.current) inputRef.current.value = '';
  };

  return (
    <div className="uploader">
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
          choose(event.dataTransfer.files);
        }}
      >
        {t('upload.drop')}{' '}
        <label className="link">
          {t('upload.choose')}
          <input
            ref={inputRef}
            type="file"
            multiple
            hidden
            aria-label={label}
            onChange={(event) => choose(event.currentTarget.files)}
          />
        </label>
      </div>
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
