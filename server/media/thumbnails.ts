// Scrubbing thumbnails: small frames tiled into JPEG sheets, and the WebVTT file that says which
// part of which sheet shows which seconds (the `#xywh=` form players understand). Pure functions.

export type ThumbnailPlan = {
  /** Seconds between two thumbnails. */
  interval: number;
  count: number;
  width: number;
  height: number;
  columns: number;
  rows: number;
};

const MAX_THUMBNAILS = 600;
const WIDTH = 160;

/** One thumbnail every 2 s for short clips, fewer for long lectures (at most 600), 160 px wide, 10×10 per sheet. */
export function thumbnailPlan(durationSeconds: number, picture: { width: number; height: number }): ThumbnailPlan {
  const interval = Math.max(2, Math.ceil(durationSeconds / MAX_THUMBNAILS));
  const height = Math.max(2, Math.round((WIDTH * picture.height) / picture.width / 2) * 2);
  return {
    interval,
    count: Math.max(1, Math.ceil(durationSeconds / interval)),
    width: WIDTH,
    height,
    columns: 10,
    rows: 10,
  };
}

const clock = (seconds: number) => {
  const whole = Math.floor(seconds);
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.000`;
};

/** The cue for thumbnail i covers [i·interval, (i+1)·interval) and points into sheet ⌊i / (columns·rows)⌋. */
export function thumbnailsVtt(plan: ThumbnailPlan, sheetName: (sheet: number) => string): string {
  const perSheet = plan.columns * plan.rows;
  const cues = ['WEBVTT', ''];
  for (let i = 0; i < plan.count; i++) {
    const place = i % perSheet;
    const x = (place % plan.columns) * plan.width;
    const y = Math.floor(place / plan.columns) * plan.height;
    cues.push(
      `${clock(i * plan.interval)} --> ${clock((i + 1) * plan.interval)}`,
      `${sheetName(Math.floor(i / perSheet))}#xywh=${x},${y},${plan.width},${plan.height}`,
      '',
    );
  }
  return cues.join('\n');
}
