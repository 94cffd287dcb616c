import { describe, expect, it } from 'vitest';
import {
  copyVariant,
  ladderVariants,
  masterPlaylist,
  planLadder,
  splitIntoProcesses,
  type CopySource,
} from './ladder.ts';

const sizes = (ladder: ReturnType<typeof planLadder>) =>
  ladder.video.map((rung) => `${rung.width}x${rung.height}@${rung.fps}`);

describe('planLadder', () => {
  it('gives a 1080p30 source the whole ladder, largest first', () => {
    expect(sizes(planLadder({ video: { width: 1920, height: 1080, fps: 30 }, hasAudio: true }))).toEqual([
      '1920x1080@30',
      '1280x720@30',
      '854x480@30',
      '640x360@30',
      '426x240@30',
    ]);
  });

  it('never upscales: a 1366x768 screen recording stops at 720p, with even sizes', () => {
    expect(sizes(planLadder({ video: { width: 1366, height: 768, fps: 25 }, hasAudio: true }))).toEqual([
      '1280x720@25',
      '854x480@25',
      '640x360@25',
      '426x240@25',
    ]);
  });

  it('keeps a portrait phone video portrait, rungs by its short side', () => {
    expect(sizes(planLadder({ video: { width: 720, height: 1280, fps: 30 }, hasAudio: true }))).toEqual([
      '720x1280@30',
      '480x854@30',
      '360x640@30',
      '240x426@30',
    ]);
  });

  it('caps 50 and 60 fps at 30 unless asked to keep them', () => {
    expect(planLadder({ video: { width: 1280, height: 720, fps: 59.94 }, hasAudio: false }).video[0]!.fps).toBe(30);
    expect(
      planLadder({ video: { width: 1280, height: 720, fps: 50 }, hasAudio: false }, { keepHighFrameRate: true })
        .video[0]!.fps,
    ).toBe(50);
  });

  it('makes one rung at the source size when it is smaller than the lowest rung', () => {
    expect(sizes(planLadder({ video: { width: 320, height: 180, fps: 15 }, hasAudio: true }))).toEqual(['320x180@15']);
  });

  it('has audio only for an audio lecture, and no audio rendition for a silent video', () => {
    expect(planLadder({ video: null, hasAudio: true })).toEqual({ video: [], audioBitrate: 96_000 });
    expect(planLadder({ video: { width: 640, height: 360, fps: 30 }, hasAudio: false }).audioBitrate).toBeNull();
  });
});

describe('splitIntoProcesses', () => {
  it('balances the encoding work of the full ladder between two processes', () => {
    const ladder = planLadder({ video: { width: 1920, height: 1080, fps: 30 }, hasAudio: true }).video;
    const groups = splitIntoProcesses(ladder, 2);
    expect(groups.map((group) => group.map((rung) => rung.name))).toEqual([
      ['1080p'],
      ['720p', '480p', '360p', '240p'],
    ]);
    const work = groups.map((group) => group.reduce((sum, rung) => sum + rung.width * rung.height, 0));
    expect(Math.min(...work) / Math.max(...work)).toBeGreaterThan(0.7);
    expect(groups.flat()).toHaveLength(ladder.length);
  });

  it('makes no empty process when there are fewer rungs than processes', () => {
    const ladder = planLadder({ video: { width: 320, height: 180, fps: 30 }, hasAudio: true }).video;
    expect(splitIntoProcesses(ladder, 2)).toHaveLength(1);
  });
});

describe('masterPlaylist', () => {
  it('names every rung with BANDWIDTH, RESOLUTION and CODECS, then an audio-only variant', () => {
    const ladder = planLadder({ video: { width: 1280, height: 720, fps: 30 }, hasAudio: true });
    const text = masterPlaylist(ladderVariants(ladder), (name) => `${name}/index.m3u8`);
    const variants = text.split('\n').filter((line) => line.startsWith('#EXT-X-STREAM-INF'));
    expect(variants).toHaveLength(5);
    expect(variants[0]).toMatch(/BANDWIDTH=\d+,.*RESOLUTION=1280x720,.*CODECS="avc1\.640028,mp4a\.40\.2"/);
    expect(variants.at(-1)).toMatch(/CODECS="mp4a\.40\.2"$/);
    expect(text).toContain('\naudio/index.m3u8\n');
  });
});

describe('copyVariant (publish the upload as it is, repackaged)', () => {
  const phone: CopySource = {
    video: { width: 1920, height: 1080, fps: 30 },
    hasAudio: true,
    durationSeconds: 60,
    videoCodec: 'h264',
    audioCodec: 'aac',
    bitRate: 8_000_000,
    videoDetails: { profile: 'High', level: 40, pixelFormat: 'yuv420p', rotated: false, interlaced: false },
  };

  it('takes an upright 8-bit H.264/AAC recording as it is, with its real codec string', () => {
    expect(copyVariant(phone)).toMatchObject({
      name: 'source',
      resolution: { width: 1920, height: 1080 },
      codecs: 'avc1.640028,mp4a.40.2',
    });
    expect(copyVariant({ ...phone, hasAudio: false, audioCodec: null })?.codecs).toBe('avc1.640028');
    expect(
      copyVariant({ ...phone, videoDetails: { ...phone.videoDetails!, profile: 'Constrained Baseline', level: 31 } })
        ?.codecs,
    ).toBe('avc1.42E01F,mp4a.40.2');
  });

  it('re-encodes what players may not take or show right', () => {
    expect(copyVariant({ ...phone, videoCodec: 'hevc' })).toBeNull();
    expect(copyVariant({ ...phone, audioCodec: 'mp3' })).toBeNull();
    expect(
      copyVariant({
        ...phone,
        videoDetails: { ...phone.videoDetails!, pixelFormat: 'yuv420p10le', profile: 'High 10' },
      }),
    ).toBeNull();
    expect(copyVariant({ ...phone, videoDetails: { ...phone.videoDetails!, rotated: true } })).toBeNull();
    expect(copyVariant({ ...phone, videoDetails: { ...phone.videoDetails!, interlaced: true } })).toBeNull();
    expect(copyVariant({ ...phone, video: { width: 3840, height: 2160, fps: 30 } })).toBeNull();
    expect(copyVariant({ ...phone, video: null, videoDetails: null })).toBeNull();
  });
});
