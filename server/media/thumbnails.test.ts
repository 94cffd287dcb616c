import { describe, expect, it } from 'vitest';
import { thumbnailPlan, thumbnailsVtt } from './thumbnails.ts';

describe('thumbnail sheets for scrubbing', () => {
  it('keeps the picture shape and limits a long lecture to 600 thumbnails', () => {
    expect(thumbnailPlan(60, { width: 1920, height: 1080 })).toMatchObject({
      interval: 2,
      count: 30,
      width: 160,
      height: 90,
    });
    expect(thumbnailPlan(60, { width: 720, height: 1280 }).height).toBe(284);
    const long = thumbnailPlan(5 * 3600, { width: 1280, height: 720 });
    expect(long.interval).toBe(30);
    expect(long.count).toBeLessThanOrEqual(600);
  });

  it('points each cue at its tile, moving to the next sheet after 100', () => {
    const plan = thumbnailPlan(250, { width: 1280, height: 720 });
    const vtt = thumbnailsVtt(plan, (sheet) => `sheet_${sheet}.jpg`);
    const lines = vtt.split('\n');
    expect(lines[0]).toBe('WEBVTT');
    expect(vtt).toContain('00:00:00.000 --> 00:00:02.000\nsheet_0.jpg#xywh=0,0,160,90');
    expect(vtt).toContain('00:00:22.000 --> 00:00:24.000\nsheet_0.jpg#xywh=160,90,160,90'); // the 12th: row 1, column 1
    expect(vtt).toContain('00:03:20.000 --> 00:03:22.000\nsheet_1.jpg#xywh=0,0,160,90'); // the 101st
    expect(lines.filter((line) => line.includes('-->'))).toHaveLength(125);
  });
});
