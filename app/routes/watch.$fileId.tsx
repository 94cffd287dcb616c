// A lecture's player: hls.js (native HLS where the browser has it), quality, audio only, speed.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type Hls from 'hls.js';
import { videoForWatching } from '../../server/cabinets/items.ts';
import { signMediaToken } from '../../server/media/media-token.ts';
import { orRespond, requireUser } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const video = await orRespond(() => videoForWatching(context.services.db, user, params.fileId ?? ''));
  const { file } = video;
  const attempt = file.hls_prefix!.split('/').pop()!;
  const token = signMediaToken(context.services.mediaTokenKey, {
    userId: user.id,
    mediaFileId: file.id,
    attempt,
    expiresAt: Date.now() + context.services.config.media.tokenTtlMs,
  });
  return {
    title: video.title,
    cabinetId: video.cabinetId,
    master: `/media/${token}/master.m3u8`,
    poster: file.poster_key ? `/media/${token}/poster.jpg` : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? 'Kabinet' }];

type Level = { index: number; height: number };
const speeds = [0.75, 1, 1.25, 1.5, 2];

export default function Watch() {
  const { title, cabinetId, master, poster } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const videoRef = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<Hls | null>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  const [level, setLevel] = useState(-1);
  const [speed, setSpeed] = useState(1);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let destroyed = false;
    void import('hls.js').then(({ default: HlsPlayer }) => {
      if (destroyed) return;
      if (HlsPlayer.isSupported()) {
        const hls = new HlsPlayer({ capLevelToPlayerSize: true });
        hlsRef.current = hls;
        hls.on(HlsPlayer.Events.MANIFEST_PARSED, (_event, data) => {
          setLevels(data.levels.map((l, index) => ({ index, height: l.height })));
        });
        hls.loadSource(master);
        hls.attachMedia(video);
      } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
        video.src = master;
      }
    });
    return () => {
      destroyed = true;
      hlsRef.current?.destroy();
      hlsRef.current = null;
    };
  }, [master]);

  const chooseLevel = (value: number) => {
    setLevel(value);
    if (hlsRef.current) hlsRef.current.currentLevel = value;
  };
  const chooseSpeed = (value: number) => {
    setSpeed(value);
    if (videoRef.current) videoRef.current.playbackRate = value;
  };

  return (
    <main className="watch-page">
      <p>
        <Link to={`/cabinets/${cabinetId}`}>{t('video.back')}</Link>
      </p>
      <h1>{title}</h1>
      <video ref={videoRef} controls playsInline poster={poster ?? undefined} data-testid="player" style={{ width: '100%', maxHeight: '70vh', background: '#000' }}>
        {t('video.noPlayer')}
      </video>
      <div className="player-controls">
        <label>
          {t('video.quality')}{' '}
          <select value={level} onChange={(event) => chooseLevel(Number(event.target.value))} data-testid="quality">
            <option value={-1}>{t('video.auto')}</option>
            {levels.map((l) => (
              <option key={l.index} value={l.index}>
                {l.height ? `${l.height}p` : t('video.audioOnly')}
              </option>
            ))}
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
        </label>
      </div>
    </main>
  );
}
