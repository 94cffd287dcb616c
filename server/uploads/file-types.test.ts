import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectAcceptedType, detectAcceptedTypeOfHead, HEAD_BYTES, isInlineType } from './file-types.ts';
import { kindByName } from '../common/file-kinds.ts';

let dir: string;
const write = async (name: string, data: Buffer | string) => {
  const file = path.join(dir, `${randomBytes(4).toString('hex')}-${name}`);
  await fs.writeFile(file, data);
  return file;
};
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-types-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('kindByName', () => {
  it.each([
    ['Лекция 1.MP4', 'video'],
    ['talk.mkv', 'video'],
    ['voice.m4a', 'audio'],
    ['slides.pdf', 'document'],
    ['table.xlsx', 'document'],
    ['photo.JPG', 'image'],
    ['setup.exe', null],
    ['page.html', null],
    ['logo.svg', null],
    ['noextension', null],
    ['script.pdf.js', null],
  ])('%s → %s', (name, kind) => {
    expect(kindByName(name)).toBe(kind);
  });
});

describe('detectAcceptedType', () => {
  it('accepts content that matches the kind its name announces and picks our type', async () => {
    expect(
      await detectAcceptedType(
        await write('a.pdf', Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(100)])),
        'slides.pdf',
      ),
    ).toEqual({
      kind: 'document',
      contentType: 'application/pdf',
      extension: 'pdf',
    });
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    expect((await detectAcceptedType(await write('b', png), 'photo.jpg'))?.contentType).toBe('image/png');
  });

  it('accepts UTF-8 text and CSV without markup', async () => {
    expect(
      (await detectAcceptedType(await write('c.txt', 'Саламатсызбы!\nТапшырма 1'), 'tasks.txt'))?.contentType,
    ).toBe('text/plain');
    expect((await detectAcceptedType(await write('d.csv', 'аты,баа\nАйгерим,5\n'), 'grades.csv'))?.contentType).toBe(
      'text/csv',
    );
  });

  it.each([
    [
      'an executable named .pdf',
      'a.pdf',
      Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000', 'hex'), Buffer.alloc(100)]),
    ],
    ['a PDF named .mp4', 'a.mp4', Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(100)])],
    ['HTML named .txt', 'a.txt', '<html><body onload=alert(1)>'],
    ['SVG named .txt', 'a.txt', '<svg onload="alert(1)"/>'],
    ['binary named .txt', 'a.txt', Buffer.from([0x41, 0x00, 0x42])],
    ['invalid UTF-8 named .csv', 'a.csv', Buffer.from([0xff, 0xfe, 0x41])],
    ['an empty file', 'a.pdf', Buffer.alloc(0)],
    ['a disallowed name', 'a.exe', 'MZ'],
  ])('refuses %s', async (_label, name, data) => {
    expect(await detectAcceptedType(await write('x', data), name)).toBeNull();
  });
});

describe('detectAcceptedTypeOfHead', () => {
  it('judges the first 64 KiB of a file still arriving as the complete file will be judged', async () => {
    const mp4 = Buffer.concat([
      Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'),
      randomBytes(HEAD_BYTES),
    ]);
    expect(await detectAcceptedTypeOfHead(mp4.subarray(0, HEAD_BYTES), 'Лекция.mp4')).toMatchObject({
      kind: 'video',
      contentType: 'video/mp4',
    });
    expect(await detectAcceptedTypeOfHead(randomBytes(HEAD_BYTES), 'Лекция.mp4')).toBeNull();
    expect(await detectAcceptedTypeOfHead(mp4.subarray(0, HEAD_BYTES), 'Лекция.mp3')).toBeNull();
    // An MP3 whose ID3 tag (cover art) is longer than the head: told by the tag's header, as whole.
    const tagSize = 300_000;
    const syncsafe = Buffer.from([
      (tagSize >> 21) & 0x7f,
      (tagSize >> 14) & 0x7f,
      (tagSize >> 7) & 0x7f,
      tagSize & 0x7f,
    ]);
    const mp3 = Buffer.concat([
      Buffer.from('ID3\x04\x00\x00', 'latin1'),
      syncsafe,
      randomBytes(tagSize),
      Buffer.from('fffb9064', 'hex'),
      randomBytes(4000),
    ]);
    expect(await detectAcceptedTypeOfHead(mp3.subarray(0, HEAD_BYTES), 'dars.mp3')).toMatchObject({ kind: 'audio' });
    expect(await detectAcceptedType(await write('tag.mp3', mp3), 'dars.mp3')).toMatchObject({ kind: 'audio' });
    // Text cut in the middle of a letter at the head's end is judged by its whole lines.
    const text = Buffer.from(`${'Саламатсызбы!\n'.repeat(3000)}`).subarray(0, HEAD_BYTES);
    expect(await detectAcceptedTypeOfHead(text, 'notes.txt')).toMatchObject({ contentType: 'text/plain' });
  });
});

describe('isInlineType', () => {
  it('shows PDFs and raster images inline, never SVG or HTML', () => {
    expect(isInlineType('application/pdf')).toBe(true);
    expect(isInlineType('image/webp')).toBe(true);
    expect(isInlineType('image/svg+xml')).toBe(false);
    expect(isInlineType('text/html')).toBe(false);
    expect(isInlineType('text/plain')).toBe(false);
  });
});
