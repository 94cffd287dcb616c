// Attaches an HLS source to a video element: hls.js where the browser needs it, native HLS where it
// has it. The light build of hls.js: no subtitles, DRM or alternate audio groups, which Kabinet's
// ladders do not use (65 KB less for a phone).
import { useEffect, useRef, useState, type MutableRefObject, type RefObject } from 'react';
import type Hls from 'hls.js';

export type Level = { index: number; height: number };

/**
 * Plays `source` in the video; `startAt` (a ref, so that a switch of source keeps the place) is
 * where to continue once the metadata is in. Returns the video renditions the master lists and the
 * hls.js instance, for choosing one.
 */
export function useHls(videoRef: RefObject<HTMLVideoElement>, source: string, startAt: MutableRefObject<number>) {
  const hlsRef = useRef<Hls | null>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let destroyed = false;
    const resume = () => {
      if (startAt.current > 0 && startAt.current < video.duration - 5) video.currentTime = startAt.current;
      startAt.current = 0;
    };
    video.addEventListener('loadedmetadata', resume, { once: true });
    void import('hls.js/light').then(({ default: HlsPlayer }) => {
      if (destroyed) return;
      if (HlsPlayer.isSupported()) {
        const hls = new HlsPlayer({ capLevelToPlayerSize: true, enableWebVTT: false, enableCEA708Captions: false });
        hlsRef.current = hls;
        hls.on(HlsPlayer.Events.MANIFEST_PARSED, (_event, data) => {
          // An audio rendition's own playlist has no video levels to offer.
          if (!source.endsWith('/audio/index.m3u8'))
            setLevels(data.levels.map((l, index) => ({ index, height: l.height })).filter((l) => l.height > 0));
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
  }, [source, videoRef, startAt]);
  return { levels, hlsRef };
}
