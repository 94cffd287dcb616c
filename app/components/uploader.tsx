// Resumable uploads with tus-js-client: a queue per slot or item, progress, pause/resume/cancel, resume after reload.
import { useRevalidator } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import * as tus from 'tus-js-client';
import { formatBytes, formatDuration } from './format.ts';

/** Where files go: a slot or an item of the cabinet, or (a student's files) an assignment. */
export type UploadTarget = { cabinetId: string; slotId?: string; itemId?: string; assignmentId?: string };

type Status = 'queued' | 'uploading' | 'paused' | 'done' | 'failed';
type Entry = {
  key: string;
  file: File;
  status: Status;
  sent: number;
  speed: number; // bytes per second, smoothed
  error?: string;
  upload?: tus.Upload;
};
type Unfinished = { name: string; percent: number };

const fingerprintPrefix = (target: UploadTarget) => `kabinet:${target.cabinetId}:${target.slotId ?? target.itemId ?? target.assignmentId ?? ''}:`;

/** Bytes per second, smoothed over half-second samples so the time left does not jump around. */
function speedMeter(): (sent: number) => number {
  let lastTime = performance.now();
  let lastBytes = -1;
  let speed = 0;
  return (sent) => {
    const now = performance.now();
    if (lastBytes < 0) lastBytes = sent; // a resumed upload starts at its offset, not at zero
    if (now - lastTime > 500) {
      const instant = ((sent - lastBytes) / (now - lastTime)) * 1000;
      speed = speed === 0 ? instant : speed * 0.7 + instant * 0.3;
      lastTime = now;
      lastBytes = sent;
    }
    return speed;
  };
}

function errorMessage(error: Error): string {
  const detailed = error as tus.DetailedError;
  const body = detailed.originalResponse?.getBody()?.trim();
  return body && body.length < 400 ? body : '';
}

export function Uploader({ cabinetId, slotId, itemId, assignmentId, chunkSize, label }: UploadTarget & { chunkSize: number; label: string }) {
  // A stable object, so effects run once per target and not on every render.
  const [target] = useState<UploadTarget>(() => ({ cabinetId, slotId, itemId, assignmentId }));
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const [entries, setEntries] = useState<Entry[]>([]);
  // The queue lives in a ref so that upload callbacks always see the current list.
  const queue = useRef<Entry[]>([]);
  const [unfinished, setUnfinished] = useState<Unfinished[]>([]);
  const [online, setOnline] = useState(true);
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  const change = (next: Entry[]) => {
    queue.current = next;
    setEntries(next);
  };
  const update = (key: string, patch: Partial<Entry>) => change(queue.current.map((entry) => (entry.key === key ? { ...entry, ...patch } : entry)));

  // Uploads cut short by a reload or a closed tab: tus-js-client remembers them; the server knows how far they got.
  useEffect(() => {
    let cancelled = false;
    const storage = tus.defaultOptions.urlStorage;
    void storage.findAllUploads().then(async (stored) => {
      const mine = stored.filter((entry) => String((entry as { urlStorageKey?: string }).urlStorageKey ?? '').includes(fingerprintPrefix(target)));
      const found: Unfinished[] = [];
      for (const entry of mine) {
        if (!entry.uploadUrl) continue;
        const response = await fetch(entry.uploadUrl, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } }).catch(() => null);
        const offset = Number(response?.headers.get('Upload-Offset'));
        if (!response?.ok || !Number.isFinite(offset)) continue;
        found.push({ name: entry.metadata?.filename ?? '', percent: Math.floor((offset / (entry.size || 1)) * 100) });
      }
      if (!cancelled) setUnfinished(found);
    });
    return () => {
      cancelled = true;
    };
  }, [target]);

  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);

  // One upload at a time per queue: on a weak connection parallel files only slow each other down.
  const pump = () => {
    if (queue.current.some((entry) => entry.status === 'uploading')) return;
    const next = queue.current.find((entry) => entry.status === 'queued');
    if (next) void start(next);
  };

  const start = async (entry: Entry) => {
    const meter = speedMeter();
    const upload = new tus.Upload(entry.file, {
      endpoint: '/uploads',
      chunkSize,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
      metadata: {
        cabinetId: target.cabinetId,
        ...(target.slotId ? { slotId: target.slotId } : {}),
        ...(target.itemId ? { itemId: target.itemId } : {}),
        ...(target.assignmentId ? { assignmentId: target.assignmentId } : {}),
        filename: entry.file.name,
      },
      fingerprint: async (file) => `${fingerprintPrefix(target)}${(file as File).name}:${(file as File).size}:${(file as File).lastModified}`,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress(sent) {
        update(entry.key, { sent, speed: meter(sent), status: 'uploading' });
      },
      onSuccess() {
        update(entry.key, { status: 'done', sent: entry.file.size });
        setUnfinished((current) => current.filter((u) => u.name !== entry.file.name));
        revalidator.revalidate();
        pump();
      },
      onError(error) {
        update(entry.key, { status: 'failed', error: errorMessage(error) || t('errors.unexpected') });
        pump();
      },
    });
    update(entry.key, { upload, status: 'uploading' });
    const previous = await upload.findPreviousUploads();
    if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
    upload.start();
  };

  const add = (files: FileList | null) => {
    if (!files) return;
    const added = Array.from(files).map((file) => ({ key: `${file.name}:${file.size}:${file.lastModified}:${Math.random()}`, file, status: 'queued' as const, sent: 0, speed: 0 }));
    change([...queue.current, ...added]);
    if (inputRef.current) inputRef.current.value = '';
    pump();
  };

  const pause = (entry: Entry) => {
    void entry.upload?.abort(false);
    update(entry.key, { status: 'paused' });
    pump();
  };
  const resume = (entry: Entry) => {
    if (entry.upload) {
      update(entry.key, { status: 'uploading', error: undefined });
      entry.upload.start();
    } else {
      update(entry.key, { status: 'queued' });
      pump();
    }
  };
  const cancel = (entry: Entry) => {
    if (entry.upload && entry.status !== 'done') void entry.upload.abort(true).catch(() => undefined);
    change(queue.current.filter((e) => e.key !== entry.key));
    pump();
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
          add(event.dataTransfer.files);
        }}
      >
        {t('upload.drop')}{' '}
        <label className="link">
          {t('upload.choose')}
          <input ref={inputRef} type="file" multiple hidden aria-label={label} onChange={(event) => add(event.currentTarget.files)} />
        </label>
      </div>
      {!online ? <p className="notice">{t('upload.offline')}</p> : null}
      {unfinished.map((u) => (
        <p key={u.name} className="notice" data-testid="unfinished-upload">
          {t('upload.unfinished', { name: u.name, percent: u.percent })}
        </p>
      ))}
      <ul className="upload-list">
        {entries.map((entry) => {
          const total = entry.file.size;
          const percent = total ? Math.floor((entry.sent / total) * 100) : 0;
          const left = entry.speed > 0 ? (total - entry.sent) / entry.speed : Number.POSITIVE_INFINITY;
          return (
            <li key={entry.key} className={`upload ${entry.status}`} data-testid="upload-row" data-status={entry.status}>
              <div className="upload-head">
                <span className="name">{entry.file.name}</span>
                <span className="muted">
                  {formatBytes(entry.sent, t)} / {formatBytes(total, t)} · {t(`upload.${entry.status}`)}
                </span>
              </div>
              <progress max={100} value={percent} aria-label={entry.file.name} data-percent={percent} />
              {entry.status === 'uploading' && entry.speed > 0 ? (
                <div className="muted">
                  {t('upload.speed', { speed: formatBytes(entry.speed, t) })} · {t('upload.timeLeft', { time: formatDuration(left, t) })}
                </div>
              ) : null}
              {entry.error ? (
                <p className="form-error" role="alert">
                  {entry.error}
                </p>
              ) : null}
              <div className="actions">
                {entry.status === 'uploading' ? (
                  <button type="button" onClick={() => pause(entry)}>
                    {t('upload.pause')}
                  </button>
                ) : null}
                {entry.status === 'paused' || entry.status === 'failed' ? (
                  <button type="button" onClick={() => resume(entry)}>
                    {entry.status === 'failed' ? t('upload.retry') : t('upload.resume')}
                  </button>
                ) : null}
                <button type="button" onClick={() => cancel(entry)}>
                  {entry.status === 'done' ? t('upload.remove') : t('upload.cancel')}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
