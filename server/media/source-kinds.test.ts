// Real ffmpeg on a short clip of every kind of recording instructors upload, and every kind of file
// that must be refused; a refused file never makes ffmpeg open anything outside the job's folder
// nor a network connection.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processLecture } from '../../tests/helpers/process-lecture.ts';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { tusUploadWhole } from '../../tests/helpers/tus-requests.ts';
import { findBinaries, probe } from './probe.ts';
import { processVideo } from './process-video.ts';

let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
let owner: string;
let clips: string;
let slotIndex = 0;

const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
const lavfi = (source: string) => ['-f', 'lavfi', '-i', source];
const fileRow = (id: string) =>
  server.services.db.selectFrom('media_file').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function upload(file: string, name = path.basename(file)) {
  const slot = cabinet.slots.filter((s) => s.kind === 'lecture_video')[slotIndex++]!;
  return tusUploadWhole(server.url, await fs.readFile(file), {
    cookie: owner,
    metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: name },
  });
}

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
  owner = await server.cookieFor('instructor');
  clips = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-kinds-'));
});
afterAll(async () => {
  await server?.close();
  if (clips) await fs.rm(clips, { recursive: true, force: true });
});

describe('recordings Kabinet accepts', () => {
  const kinds: [string, string, string[], { resolutions: string[]; fps?: string }][] = [
    [
      'interlaced widescreen PAL camera (MPEG-2 in MPEG-TS, non-square pixels)',
      'camera.ts',
      [
        ...lavfi('testsrc2=s=720x576:r=25:d=2'),
        ...lavfi('sine=d=2'),
        '-vf',
        'setfield=tff,setsar=64/45',
        '-c:v',
        'mpeg2video',
        '-flags',
        '+ilme+ildct',
        '-top',
        '1',
        '-b:v',
        '4M',
        '-c:a',
        'mp2',
        '-shortest',
      ],
      { resolutions: ['854x480', '640x360', '426x240'] },
    ],
    [
      '10-bit HEVC phone video',
      'phone-hevc.mp4',
      [
        ...lavfi('testsrc2=s=1280x720:r=30:d=2'),
        ...lavfi('sine=d=2'),
        '-c:v',
        'libx265',
        '-pix_fmt',
        'yuv420p10le',
        '-x265-params',
        'log-level=error',
        '-tag:v',
        'hvc1',
        '-c:a',
        'aac',
        '-shortest',
      ],
      { resolutions: ['1280x720', '854x480', '640x360', '426x240'] },
    ],
    [
      'variable frame rate screen recording (Matroska)',
      'screen.mkv',
      [
        ...lavfi('testsrc2=s=1366x768:r=30:d=3'),
        '-vf',
        "select='lt(mod(n,10),6)'",
        '-fps_mode',
        'vfr',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
      ],
      { resolutions: ['1280x720', '854x480', '640x360', '426x240'] },
    ],
    [
      'portrait phone video stored turned (rotation flag)',
      'turned.mp4',
      [
        ...lavfi('testsrc2=s=640x360:r=30:d=2'),
        ...lavfi('sine=d=2'),
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-c:a',
        'aac',
        '-shortest',
      ],
      { resolutions: ['360x640', '240x426'] },
    ],
    [
      '50 fps WebM (VP9/Opus)',
      'sports.webm',
      [
        ...lavfi('testsrc2=s=640x360:r=50:d=2'),
        ...lavfi('sine=d=2'),
        '-c:v',
        'libvpx-vp9',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-c:a',
        'libopus',
        '-shortest',
      ],
      { resolutions: ['640x360', '426x240'], fps: '30.000' },
    ],
  ];

  it.each(kinds)(
    '%s',
    async (_label, name, args, expected) => {
      let file = path.join(clips, name);
      ffmpeg(...args, file);
      if (name === 'turned.mp4') {
        // A phone stores the picture lying down with a display rotation; ffmpeg 5.1 writes one on stream copy.
        const turned = path.join(clips, 'phone-turned.mp4');
        ffmpeg('-i', file, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', turned);
        file = turned;
      }
      const { finish } = await upload(file);
      expect(finish?.status).toBe(204);
      const id = finish!.headers.get('kabinet-media-file')!;
      await processLecture(server.services, id);
      const row = await fileRow(id);
      expect(row.processing_state).toBe('ready');
      expect(row.hls_complete).toBe(true);
      const master = path.join(server.services.config.mediaDir, row.hls_prefix!, 'master.m3u8');
      const text = await fs.readFile(master, 'utf8');
      expect(text.match(/RESOLUTION=(\d+x\d+)/g)?.map((found) => found.slice(11))).toEqual(expected.resolutions);
      if (expected.fps) expect(text).toContain(`FRAME-RATE=${expected.fps}`);
      // Every variant decodes to the end, as long as the source.
      const source = Number(
        execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).toString(),
      );
      for (const variant of text.split('\n').filter((line) => line.endsWith('.m3u8'))) {
        const playlist = path.join(path.dirname(master), variant);
        execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', playlist, '-f', 'null', '-']);
        const duration = Number(
          execFileSync('ffprobe', [
            '-v',
            'error',
            '-show_entries',
            'format=duration',
            '-of',
            'csv=p=0',
            playlist,
          ]).toString(),
        );
        expect(Math.abs(duration - source)).toBeLessThan(0.5);
      }
    },
    60_000,
  );
});

describe('files Kabinet refuses', () => {
  /** A FIFO outside the job folder: ffmpeg opening it to read would block, and we would see a reader. */
  async function readerAppeared(fifo: string): Promise<boolean> {
    try {
      const handle = await fs.open(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
      await handle.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENXIO') return false; // nobody has it open for reading
      throw error;
    }
  }

  it('refuses playlists and concat lists in disguise, random bytes, zero bytes and images at upload, storing nothing', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    );
    const cases: [string, Buffer][] = [
      ['lecture.mp4', Buffer.from('#EXTM3U\n#EXTINF:10,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n')],
      ['lecture.mov', Buffer.from("ffconcat version 1.0\nfile '/etc/passwd'\n")],
      ['noise.mp4', randomBytes(50_000)],
      ['slide.mp4', png],
    ];
    const before = await server.services.storage.list('originals/');
    for (const [name, body] of cases) {
      const file = path.join(clips, `refused-${name}`);
      await fs.writeFile(file, body);
      const { finish } = await upload(file, name);
      expect(finish?.status, name).toBe(415);
    }
    const empty = await upload(path.join(clips, 'refused-lecture.mp4'), 'empty.mp4').then(async () => {
      const slot = cabinet.slots.filter((s) => s.kind === 'lecture_video')[slotIndex++]!;
      return tusUploadWhole(server.url, Buffer.alloc(0), {
        cookie: owner,
        metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: 'empty.mp4' },
      });
    });
    expect(empty.create.status).toBe(400);
    expect(await server.services.storage.list('originals/')).toEqual(before);
  });

  it('never lets ffmpeg follow a disguised playlist or concat list out of the job folder or onto the network', async () => {
    const fifo = path.join(clips, 'outside.ts');
    execFileSync('mkfifo', [fifo]);
    let connections = 0;
    const listener = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as net.AddressInfo).port;
    const binaries = findBinaries(server.services.config.media);
    const job = path.join(clips, 'job');
    await fs.mkdir(job);
    const payloads: Record<string, string> = {
      'playlist.mp4': `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${fifo}\n#EXTINF:10,\nhttp://127.0.0.1:${port}/segment.ts\n#EXT-X-ENDLIST\n`,
      'concat.mov': `ffconcat version 1.0\nfile '${fifo}'\nfile 'http://127.0.0.1:${port}/b.ts'\n`,
      'sdp.mp4': `v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video ${port} RTP/AVP 96\n`,
    };
    try {
      for (const [name, text] of Object.entries(payloads)) {
        const file = path.join(job, name);
        await fs.writeFile(file, text);
        let opened = false;
        const watching = setInterval(() => void readerAppeared(fifo).then((seen) => (opened ||= seen)), 5);
        await expect(probe(binaries, file)).rejects.toMatchObject({ messageKey: 'media.refused.not_media' });
        clearInterval(watching);
        expect(opened || (await readerAppeared(fifo)), name).toBe(false);
      }
      expect(connections).toBe(0);
    } finally {
      listener.close();
    }
  });

  it('ends a stored file that is no recording as failed with the reason, publishing nothing', async () => {
    // Past the upload check (a real MP4 header) but cut to its first kilobytes.
    const whole = path.join(clips, 'whole.mp4');
    ffmpeg(...lavfi('testsrc2=s=320x180:r=25:d=2'), '-c:v', 'libx264', '-preset', 'ultrafast', whole);
    const cut = path.join(clips, 'cut.mp4');
    await fs.writeFile(cut, (await fs.readFile(whole)).subarray(0, 3000));
    const { finish } = await upload(cut);
    const id = finish!.headers.get('kabinet-media-file')!;
    expect(
      await processVideo(
        {
          db: server.services.db,
          storage: server.services.storage,
          media: server.services.config.media,
          queue: server.services.queue,
        },
        id,
        'playable',
      ),
    ).toBe('refused');
    const row = await fileRow(id);
    expect([row.processing_state, row.failure_key, row.hls_prefix]).toEqual([
      'failed',
      'media.refused.not_media',
      null,
    ]);
    expect(await server.services.storage.list(`hls/${id.slice(0, 2)}/${id}/`)).toEqual([]);
  });
});
