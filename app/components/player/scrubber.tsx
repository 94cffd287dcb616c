// The position bar under the video, with a thumbnail of the moment under the pointer (from the
// lecture's thumbnails file: `sheet.jpg#xywh=x,y,w,h` for each stretch of time).
import { useEffect, useState, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatClock } from '../../../server/common/format.ts';

type Thumb = { start: number; end: number; url: string; x: number; y: number; w: number; h: number };

/** The cues of the thumbnails file. */
export function parseThumbnails(vtt: string, base: string): Thumb[] {
  const seconds = (clock: string) => clock.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  const thumbs: Thumb[] = [];
  const lines = vtt.split('\n');
  lines.forEach((line, i) => {
    const times = /^([\d:.]+) --> ([\d:.]+)/.exec(line);
    const target = /^([^#\s]+)#xywh=(\d+),(\d+),(\d+),(\d+)/.exec(lines[i + 1] ?? '');
    if (!times || !target) return;
    const [, file, x, y, w, h] = target;
    thumbs.push({
      start: seconds(times[1]!),
      end: seconds(times[2]!),
      url: `${base}/${file}`,
      x: Number(x),
      y: Number(y),
      w: Number(w),
      h: Number(h),
    });
  });
  return thumbs;
}

function useThumbnails(url: string | null): Thumb[] {
  const [thumbs, setThumbs] = useState<Thumb[]>([]);
  useEffect(() => {
    if (!url) return;
    const base = url.slice(0, url.lastIndexOf('/'));
    void fetch(url)
      .then((response) => (response.ok ? response.text() : ''))
      .then((text) => setThumbs(parseThumbnails(text, base)))
      .catch(() => setThumbs([]));
  }, [url]);
  return thumbs;
}

type Props = { current: number; duration: number; thumbnails: string | null; onSeek: (seconds: number) => void };

export function Scrubber({ current, duration, thumbnails, onSeek }: Props) {
  const { t } = useTranslation();
  const thumbs = useThumbnails(thumbnails);
  const [preview, setPreview] = useState<{ at: number; left: number } | null>(null);
  const onHover = (event: PointerEvent<HTMLInputElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    setPreview({ at: fraction * duration, left: fraction * box.width });
  };
  const shown =
    preview && thumbs.length
      ? (thumbs.find((thumb) => preview.at >= thumb.start && preview.at < thumb.end) ?? thumbs.at(-1))
      : null;
  return (
    <div className="scrub">
      <input
        type="range"
        min={0}
        max={duration || 0}
        step={0.1}
        value={current}
        aria-label={t('video.position')}
        data-testid="scrub"
        onChange={(event) => onSeek(Number(event.target.value))}
        onPointerMove={onHover}
        onPointerLeave={() => setPreview(null)}
      />
      {shown && preview ? (
        <div className="scrub-preview" style={{ left: preview.left }} data-testid="scrub-preview">
          <div
            style={{
              width: shown.w,
              height: shown.h,
              backgroundImage: `url(${shown.url})`,
              backgroundPosition: `-${shown.x}px -${shown.y}px`,
            }}
          />
          <span>{formatClock(preview.at)}</span>
        </div>
      ) : null}
      <span className="muted">
        {formatClock(current)} / {formatClock(duration)}
      </span>
    </div>
  );
}
