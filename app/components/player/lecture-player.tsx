// The lecture player: hls.js (or native HLS), quality and audio-only mode, speed, captions,
// thumbnails while scrubbing, keyboard control, resume, and watch-progress reports.
import {
  forwardRef,
  useEffect,
  useRef,
  useState,
  type Dispatch,
  type KeyboardEvent,
  type RefObject,
  type SetStateAction,
} from 'react';
import { useTranslation } from 'react-i18next';
import { useHls } from '../../hooks/use-hls.ts';
import { useProgressReports } from '../../hooks/use-progress-reports.ts';
import { AUDIO_ONLY, PlayerControls, speeds } from './player-controls.tsx';
import { Scrubber } from './scrubber.tsx';

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

/** A poster for an audio lecture: its title on a plain card. */
function titlePoster(title: string): string {
  const escaped = title.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1280 720"><rect width="1280" height="720" fill="#1d3557"/><text x="640" y="360" fill="#fff" font-family="sans-serif" font-size="56" text-anchor="middle" dominant-baseline="middle">${escaped}</text></svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

type KeyControls = {
  seekBy: (seconds: number) => unknown;
  toggleCaptions: () => void;
  speedStep: (by: number) => void;
};

/** Keys as on the big video sites: space/k play, ←/→ 5 s, j/l 10 s, ↑/↓ volume, m mute, f full screen, c captions, </> speed. */
function keyActions(video: HTMLVideoElement, controls: KeyControls): Record<string, () => void> {
  const playOrPause = () => void (video.paused ? video.play() : video.pause());
  return {
    ' ': playOrPause,
    k: playOrPause,
    ArrowLeft: () => controls.seekBy(-5),
    ArrowRight: () => controls.seekBy(5),
    j: () => controls.seekBy(-10),
    l: () => controls.seekBy(10),
    ArrowUp: () => (video.volume = Math.min(1, video.volume + 0.1)),
    ArrowDown: () => (video.volume = Math.max(0, video.volume - 0.1)),
    m: () => (video.muted = !video.muted),
    f: () => void (document.fullscreenElement ? document.exitFullscreen() : video.requestFullscreen?.()),
    c: controls.toggleCaptions,
    '>': () => controls.speedStep(1),
    '<': () => controls.speedStep(-1),
  };
}

/** The player's keyboard handler: the keys above, unless a control of the player has the focus. */
function usePlayerKeys(videoRef: RefObject<HTMLVideoElement>, controls: KeyControls) {
  return (event: KeyboardEvent<HTMLDivElement>) => {
    const video = videoRef.current;
    if (!video || event.altKey || event.ctrlKey || event.metaKey) return;
    if ((event.target as HTMLElement).closest('select, input, button')) return;
    const action = keyActions(video, controls)[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  };
}

/** One caption track shown at a time, none by default. */
function useShownCaption(videoRef: RefObject<HTMLVideoElement>, caption: string, source: string) {
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    for (const track of Array.from(video.textTracks)) track.mode = track.language === caption ? 'showing' : 'disabled';
  }, [caption, source, videoRef]);
}

/** The video element with the lecture's caption tracks; its time goes to `onTime`. */
const VideoElement = forwardRef<
  HTMLVideoElement,
  {
    poster: string | undefined;
    fileId: string;
    captions: string[];
    onTime: Dispatch<SetStateAction<{ current: number; duration: number }>>;
  }
>(function VideoElement(props, ref) {
  const { t } = useTranslation();
  return (
    <video
      ref={ref}
      controls
      playsInline
      preload="metadata"
      poster={props.poster}
      data-testid="player"
      onTimeUpdate={(event) =>
        props.onTime({ current: event.currentTarget.currentTime, duration: event.currentTarget.duration || 0 })
      }
      onDurationChange={(event) => {
        const duration = event.currentTarget.duration || 0;
        props.onTime((old) => ({ ...old, duration }));
      }}
    >
      {props.captions.map((language) => (
        <track
          key={language}
          kind="subtitles"
          srcLang={language}
          label={t(`language.${language}`)}
          src={`/watch/${props.fileId}/captions/${language}`}
        />
      ))}
      {t('video.noPlayer')}
    </video>
  );
});

export function LecturePlayer(props: Props) {
  const { t } = useTranslation();
  const videoRef = useRef<HTMLVideoElement>(null);
  const [level, setLevel] = useState(props.audioOnlySource ? AUDIO_ONLY : -1);
  const [speed, setSpeed] = useState(1);
  const [caption, setCaption] = useState('');
  const [time, setTime] = useState({ current: 0, duration: 0 });
  const audioOnly = level === AUDIO_ONLY;
  // hls.js drops audio-only variants from a master with video: audio-only mode loads the audio rendition's own playlist.
  const source = audioOnly ? `${props.media}/audio/index.m3u8` : `${props.media}/master.m3u8`;
  // Where to continue after a source switch (audio only ↔ video) or from the last visit.
  const startAt = useRef(props.resumeAt > 5 ? props.resumeAt : 0);
  const { levels, hlsRef } = useHls(videoRef, source, startAt);
  const report = useProgressReports(videoRef, props.fileId, props.reportsProgress);
  useShownCaption(videoRef, caption, source);
  useEffect(() => {
    if (videoRef.current) videoRef.current.playbackRate = speed;
  }, [speed, source]);

  const chooseLevel = (value: number) => {
    const video = videoRef.current;
    if ((value === AUDIO_ONLY) !== audioOnly && video) {
      report();
      startAt.current = video.currentTime;
    }
    setLevel(value);
    if (value !== AUDIO_ONLY && hlsRef.current && !audioOnly) hlsRef.current.currentLevel = value;
  };
  const onKey = usePlayerKeys(videoRef, {
    seekBy: (seconds) =>
      videoRef.current &&
      (videoRef.current.currentTime = Math.min(
        Math.max(0, videoRef.current.currentTime + seconds),
        videoRef.current.duration || 0,
      )),
    toggleCaptions: () => setCaption(caption ? '' : (props.captions[0] ?? '')),
    speedStep: (by) => setSpeed(speeds[Math.min(speeds.length - 1, Math.max(0, speeds.indexOf(speed) + by))]!),
  });
  return (
    <div
      className="player"
      tabIndex={0}
      onKeyDown={onKey}
      aria-label={t('video.keyboardHelp')}
      data-testid="player-box"
    >
      <VideoElement
        ref={videoRef}
        poster={props.poster ?? (audioOnly ? titlePoster(props.title) : undefined)}
        fileId={props.fileId}
        captions={props.captions}
        onTime={setTime}
      />
      <Scrubber
        current={time.current}
        duration={time.duration}
        thumbnails={props.thumbnails}
        onSeek={(seconds) => videoRef.current && (videoRef.current.currentTime = seconds)}
      />
      <PlayerControls
        levels={levels}
        level={level}
        onLevel={chooseLevel}
        audioOnlySource={props.audioOnlySource}
        speed={speed}
        onSpeed={setSpeed}
        captions={props.captions}
        caption={caption}
        onCaption={setCaption}
      />
      <p className="muted small">{t('video.keyboardHelp')}</p>
    </div>
  );
}
