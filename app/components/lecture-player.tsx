// The lecture player: hls.js (or native HLS), quality and audio-only mode, speed, captions,
// thumbnails while scrubbing, keyboard control, resume, and watch-progress reports.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type Hls from 'hls.js';
import { formatClock } from './format.ts';

type Props = {
  fileId: string;
  title: string;
  /** `/media/<token>`: the master playlist, renditions, poster and thumbnails are under it. */
  media: string;
  poster: string | null;
  audioOnlySource: boolean;
  thumbnails: string | null;
  captions: string[];
  resumeAt: number;
  reportsProgress: boolean;
};

type Level = { index: number; height: number };
type Thumb = { start: number; end: number; url: string; x: number; y: number; w: number; h: number };

const speeds = [0.75, 1, 1.25, 1.5, 1.75, 2];
const REPORT_EVERY_MS = 12_000;
const AUDIO_ONLY = -2;

/** The cues of the thumbnails file: `sheet.jpg#xywh=x,y,w,h` for each stretch of time. */
function parseThumbnails(vtt: string, base: string): Thumb[] {
  const seconds = (clock: string) => clock.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  const thumbs: Thumb[] = [];
  const lines = vtt.split('\n');
  lines.forEach((line, i) => {
    const times = /^([\d:.]+) --> ([\d:.]+)/.exec(line);
    const target = /^([^#\s]+)#xywh=(\d+),(\d+),(\d+),(\d+)/.exec(lines[i + 1] ?? '');
    if (!times || !target) return;
    const [, file, x, y, w, h] = target;
    thumbs.push({ start: seconds(times[1]!), end: seconds(times[2]!), url: `${base}/${file}`, x: Number(x), y: Number(y), w: Number(w), h: Number(h) });
  });
  return thumbs;
}

/** A poster for an audio lecture: its title on a plain card. */
function titlePoster(title: string): string {
  const escaped = title.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1280 720"><rect width="1280" height="720" fill="#1d3557"/><text x="640" y="360" fill="#fff" font-family="sans-serif" font-size="56" text-anchor="middle" dominant-baseline="middle">${escaped}</text></svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

function playedRanges(video: HTMLVideoElement): [number, number][] {
  const ranges: [number, number][] = [];
  for (let i = 0; i < video.played.length; i++) ranges.push([video.played.start(i), video.played.end(i)]);
  return ranges;
}

export function LecturePlayer(props: Props) {
  const { t } = useTranslation();
  const videoRef = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<Hls | null>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  const [level, setLevel] = useState(props.audioOnlySource ? AUDIO_ONLY : -1);
  const [speed, setSpeed] = useState(1);
  const [caption, setCaption] = useState('');
  const [time, setTime] = useState({ current: 0, duration: 0 });
  const [thumbs, setThumbs] = useState<Thumb[]>([]);
  const [preview, setPreview] = useState<{ at: number; left: number } | null>(null);
  const audioOnly = level === AUDIO_ONLY;
  const source = audioOnly ? `${props.media}/audio/index.m3u8` : `${props.media}/master.m3u8`;
  // Where to continue after a source switch (audio only ↔ video) or from the last visit.
  const startAt = useRef(props.resumeAt > 5 ? props.resumeAt : 0);

  // Attach the source; hls.js drops audio-only variants from a master with video, so audio-only
  // mode loads the audio rendition's own playlist.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let destroyed = false;
    const resume = () => {
      if (startAt.current > 0 && startAt.current < video.duration - 5) video.currentTime = startAt.current;
      startAt.current = 0;
    };
    video.addEventListener('loadedmetadata', resume, { once: true });
    // The light build: no subtitles, DRM or alternate audio groups, which Kabinet's ladders do not use (65 KB less for a phone).
    void import('hls.js/light').then(({ default: HlsPlayer }) => {
      if (destroyed) return;
      if (HlsPlayer.isSupported()) {
        const hls = new HlsPlayer({ capLevelToPlayerSize: true, enableWebVTT: false, enableCEA708Captions: false });
        hlsRef.current = hls;
        hls.on(HlsPlayer.Events.MANIFEST_PARSED, (_event, data) => {
          if (!source.endsWith('/audio/index.m3u8')) setLevels(data.levels.map((l, index) => ({ index, height: l.height })).filter((l) => l.height > 0));
        });
        hls.loadSource(source);
        hls.attachMedia(video);
      } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
        video.src = source;
      }
    });
    return () => {
      destroyed = true;
      video.removeEventListener('loadedmetadata', resume);
      hlsRef.current?.destroy();
      hlsRef.current = null;
    };
  }, [source]);

  useEffect(() => {
    if (!props.thumbnails) return;
    const base = props.thumbnails.slice(0, props.thumbnails.lastIndexOf('/'));
    void fetch(props.thumbnails)
      .then((response) => (response.ok ? response.text() : ''))
      .then((text) => setThumbs(parseThumbnails(text, base)))
      .catch(() => setThumbs([]));
  }, [props.thumbnails]);

  // Captions: one shown at a time, none by default.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    for (const track of Array.from(video.textTracks)) {
      track.mode = track.language === caption ? 'showing' : 'disabled';
    }
  }, [caption, source]);

  // Progress reports: every ~12 s while playing, on pause, and when the page is left.
  const report = useCallback(
    (leaving = false) => {
      const video = videoRef.current;
      if (!props.reportsProgress || !video || video.played.length === 0) return;
      const body = JSON.stringify({ ranges: playedRanges(video), position: video.currentTime });
      const url = `/watch/${props.fileId}/progress`;
      if (leaving && navigator.sendBeacon) navigator.sendBeacon(url, new Blob([body], { type: 'application/json' }));
      else void fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, keepalive: true }).catch(() => undefined);
    },
    [props.fileId, props.reportsProgress],
  );
  useEffect(() => {
    const video = videoRef.current;
    if (!props.reportsProgress || !video) return;
    const timer = setInterval(() => !video.paused && report(), REPORT_EVERY_MS);
    const onPause = () => report();
    const onHide = () => document.visibilityState === 'hidden' && report(true);
    const onLeave = () => report(true);
    video.addEventListener('pause', onPause);
    video.addEventListener('ended', onPause);
    document.addEventListener('visibilitychange', onHide);
    window.addEventListener('pagehide', onLeave);
    return () => {
      clearInterval(timer);
      video.removeEventListener('pause', onPause);
      video.removeEventListener('ended', onPause);
      document.removeEventListener('visibilitychange', onHide);
      window.removeEventListener('pagehide', onLeave);
    };
  }, [report, props.reportsProgress]);

  const chooseLevel = (value: number) => {
    const video = videoRef.current;
    if ((value === AUDIO_ONLY) !== audioOnly && video) {
      report();
      startAt.current = video.currentTime;
    }
    setLevel(value);
    if (value !== AUDIO_ONLY && hlsRef.current && !audioOnly) hlsRef.current.currentLevel = value;
  };
  const chooseSpeed = (value: number) => {
    setSpeed(value);
    if (videoRef.current) videoRef.current.playbackRate = value;
  };
  useEffect(() => {
    if (videoRef.current) videoRef.current.playbackRate = speed;
  }, [speed, source]);

  const seekBy = (seconds: number) => {
    const video = videoRef.current;
    if (video) video.currentTime = Math.min(Math.max(0, video.currentTime + seconds), video.duration || 0);
  };
  // Keys as on the big video sites: space/k play, ←/→ 5 s, j/l 10 s, ↑/↓ volume, m mute, f full screen, c captions, </> speed.
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const video = videoRef.current;
    if (!video || event.altKey || event.ctrlKey || event.metaKey) return;
    if ((event.target as HTMLElement).closest('select, input, button')) return;
    const step = speeds.indexOf(speed);
    const actions: Record<string, () => void> = {
      ' ': () => void (video.paused ? video.play() : video.pause()),
      k: () => void (video.paused ? video.play() : video.pause()),
      ArrowLeft: () => seekBy(-5),
      ArrowRight: () => seekBy(5),
      j: () => seekBy(-10),
      l: () => seekBy(10),
      ArrowUp: () => (video.volume = Math.min(1, video.volume + 0.1)),
      ArrowDown: () => (video.volume = Math.max(0, video.volume - 0.1)),
      m: () => (video.muted = !video.muted),
      f: () => void (document.fullscreenElement ? document.exitFullscreen() : video.requestFullscreen?.()),
      c: () => setCaption(caption ? '' : (props.captions[0] ?? '')),
      '>': () => chooseSpeed(speeds[Math.min(speeds.length - 1, step + 1)]!),
      '<': () => chooseSpeed(speeds[Math.max(0, step - 1)]!),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };

  const thumbAt = (at: number) => thumbs.find((thumb) => at >= thumb.start && at < thumb.end) ?? thumbs.at(-1);
  const onScrubHover = (event: PointerEvent<HTMLInputElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    setPreview({ at: fraction * time.duration, left: fraction * box.width });
  };
  const shown = preview && thumbs.length ? thumbAt(preview.at) : null;

  return (
    <div className="player" tabIndex={0} onKeyDown={onKey} aria-label={t('video.keyboardHelp')} data-testid="player-box">
      <video
        ref={videoRef}
        controls
        playsInline
        preload="metadata"
        poster={props.poster ?? (audioOnly ? titlePoster(props.title) : undefined)}
        data-testid="player"
        onTimeUpdate={(event) => setTime({ current: event.currentTarget.currentTime, duration: event.currentTarget.duration || 0 })}
        onDurationChange={(event) => {
          const duration = event.currentTarget.duration || 0;
          setTime((old) => ({ ...old, duration }));
        }}
      >
        {props.captions.map((language) => (
          <track key={language} kind="subtitles" srcLang={language} label={t(`language.${language}`)} src={`/watch/${props.fileId}/captions/${language}`} />
        ))}
        {t('video.noPlayer')}
      </video>
      <div className="scrub">
        <input
          type="range"
          min={0}
          max={time.duration || 0}
          step={0.1}
          value={time.current}
          aria-label={t('video.position')}
          data-testid="scrub"
          onChange={(event) => videoRef.current && (videoRef.current.currentTime = Number(event.target.value))}
          onPointerMove={onScrubHover}
          onPointerLeave={() => setPreview(null)}
        />
        {shown && preview ? (
          <div className="scrub-preview" style={{ left: preview.left }} data-testid="scrub-preview">
            <div style={{ width: shown.w, height: shown.h, backgroundImage: `url(${shown.url})`, backgroundPosition: `-${shown.x}px -${shown.y}px` }} />
            <span>{formatClock(preview.at)}</span>
          </div>
        ) : null}
        <span className="muted">
          {formatClock(time.current)} / {formatClock(time.duration)}
        </span>
      </div>
      <div className="player-controls">
        <label>
          {t('video.quality')}{' '}
          <select value={level} onChange={(event) => chooseLevel(Number(event.target.value))} data-testid="quality" disabled={props.audioOnlySource}>
            <option value={-1}>{t('video.auto')}</option>
            {levels.map((l) => (
              <option key={l.index} value={l.index}>
                {l.height}p
              </option>
            ))}
            <option value={AUDIO_ONLY}>{t('video.audioOnly')}</option>
          </select>
        </label>{' '}
        <label>
          {t('video.speed')}{' '}
          <select value={speed} onChange={(event) => chooseSpeed(Number(event.target.value))} data-testid="speed">
            {speeds.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>{' '}
        {props.captions.length ? (
          <label>
            {t('video.captions')}{' '}
            <select value={caption} onChange={(event) => setCaption(event.target.value)} data-testid="captions">
              <option value="">{t('video.captionsOff')}</option>
              {props.captions.map((language) => (
                <option key={language} value={language}>
                  {t(`language.${language}`)}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      <p className="muted small">{t('video.keyboardHelp')}</p>
    </div>
  );
}
