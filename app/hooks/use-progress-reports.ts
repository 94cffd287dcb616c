// Watch-progress reports of a lecture: what was played and where the student is, every ~12 s while
// playing, on pause and at the end, and when the page is hidden or left (as a beacon).
import { useCallback, useEffect, type RefObject } from 'react';

const REPORT_EVERY_MS = 12_000;

function playedRanges(video: HTMLVideoElement): [number, number][] {
  const ranges: [number, number][] = [];
  for (let i = 0; i < video.played.length; i++) ranges.push([video.played.start(i), video.played.end(i)]);
  return ranges;
}

/** Reports while `enabled`; returns `report(leaving)` for a report at a moment the caller knows (a switch of source). */
export function useProgressReports(videoRef: RefObject<HTMLVideoElement>, fileId: string, enabled: boolean) {
  const report = useCallback(
    (leaving = false) => {
      const video = videoRef.current;
      if (!enabled || !video || video.played.length === 0) return;
      const body = JSON.stringify({ ranges: playedRanges(video), position: video.currentTime });
      const url = `/watch/${fileId}/progress`;
      if (leaving && navigator.sendBeacon) navigator.sendBeacon(url, new Blob([body], { type: 'application/json' }));
      else
        void fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body,
          keepalive: true,
        }).catch(() => undefined);
    },
    [fileId, enabled, videoRef],
  );
  useEffect(() => {
    const video = videoRef.current;
    if (!enabled || !video) return;
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
  }, [report, enabled, videoRef]);
  return report;
}
