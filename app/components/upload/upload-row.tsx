// One file in the upload queue: its progress, speed and time left, its error, and what can be done.
import { useTranslation } from 'react-i18next';
import type { UploadEntry } from '../../hooks/use-upload-queue.ts';
import { formatBytes, formatDuration } from '../../../server/common/format.ts';

type Props = { entry: UploadEntry; onPause: () => void; onResume: () => void; onCancel: () => void };

export function UploadRow({ entry, onPause, onResume, onCancel }: Props) {
  const { t } = useTranslation();
  const total = entry.file.size;
  const percent = total ? Math.floor((entry.sent / total) * 100) : 0;
  const left = entry.speed > 0 ? (total - entry.sent) / entry.speed : Number.POSITIVE_INFINITY;
  return (
    <li className={`upload ${entry.status}`} data-testid="upload-row" data-status={entry.status}>
      <div className="upload-head">
        <span className="name">{entry.file.name}</span>
        <span className="muted">
          {formatBytes(entry.sent, t)} / {formatBytes(total, t)} · {t(`upload.${entry.status}`)}
        </span>
      </div>
      <progress max={100} value={percent} aria-label={entry.file.name} data-percent={percent} />
      {entry.status === 'uploading' && entry.speed > 0 ? (
        <div className="muted">
          {t('upload.speed', { speed: formatBytes(entry.speed, t) })} ·{' '}
          {t('upload.timeLeft', { time: formatDuration(left, t) })}
        </div>
      ) : null}
      {entry.error ? (
        <p className="form-error" role="alert">
          {entry.error}
        </p>
      ) : null}
      <div className="actions">
        {entry.status === 'uploading' ? (
          <button type="button" onClick={onPause}>
            {t('upload.pause')}
          </button>
        ) : null}
        {entry.status === 'paused' || entry.status === 'failed' ? (
          <button type="button" onClick={onResume}>
            {entry.status === 'failed' ? t('upload.retry') : t('upload.resume')}
          </button>
        ) : null}
        <button type="button" onClick={onCancel}>
          {entry.status === 'done' ? t('upload.dismiss') : t('upload.cancel')}
        </button>
      </div>
    </li>
  );
}
