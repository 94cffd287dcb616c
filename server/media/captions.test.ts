import { describe, expect, it } from 'vitest';
import { toWebVtt } from './captions.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('caption files', () => {
  it('converts SRT (CRLF, BOM, commas, <font>) to WebVTT', () => {
    const srt =
      '\uFEFF1\r\n00:00:01,000 --> 00:00:02,500\r\n<font color="red">Саламатсыздарбы</font>, <i>студенттер</i>\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nЛекция 1 --> тема\r\n';
    expect(toWebVtt(bytes(srt))).toBe(
      'WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nСаламатсыздарбы, <i>студенттер</i>\n\n00:00:03.000 --> 00:00:04.000\nЛекция 1 → тема\n',
    );
  });

  it('keeps WebVTT cues with their settings and skips notes', () => {
    const vtt = 'WEBVTT - лекция\n\nNOTE проверено\n\nintro\n01:02.5 --> 01:04.000 line:90%\nПривет\n';
    expect(toWebVtt(bytes(vtt))).toBe('WEBVTT\n\n00:01:02.500 --> 00:01:04.000 line:90%\nПривет\n');
  });

  it('refuses what is not captions: empty, binary, no cues, broken timing', () => {
    for (const bad of [
      bytes(''),
      new Uint8Array([0xff, 0xfe, 0x00, 0x41]),
      bytes('WEBVTT\n'),
      bytes('1\n00:00:01 --> soon\nhi\n'),
      bytes('hello world'),
    ]) {
      expect(() => toWebVtt(bad)).toThrow('captions.invalid');
    }
  });
});

describe('caption files from older tools', () => {
  it('converts a Windows-1251 SRT', () => {
    const srt = '1\r\n00:00:01,000 --> 00:00:02,500\r\nЗдравствуйте, студенты! Сегодня мы продолжаем лекцию.\r\n';
    const decoder = new TextDecoder('windows-1251');
    const table = new Map(Array.from({ length: 256 }, (_, byte) => [decoder.decode(new Uint8Array([byte])), byte]));
    const bytes = Uint8Array.from([...srt].map((char) => table.get(char)!));
    expect(toWebVtt(bytes)).toBe(
      'WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nЗдравствуйте, студенты! Сегодня мы продолжаем лекцию.\n',
    );
  });
});
