import { describe, expect, it } from 'vitest';
import { decodeText, detectTextEncoding } from './decode-text.ts';

const srt =
  '1\r\n00:00:01,000 --> 00:00:02,500\r\nЗдравствуйте, студенты! Сегодня мы продолжаем лекцию.\r\n\r\n' +
  '2\r\n00:00:03,000 --> 00:00:04,000\r\nОткройте тетради и запишите тему занятия.\r\n';

/** The bytes of `text` in a single-byte code page, through the runtime's own tables (TextDecoder's inverse). */
function encodeSingleByte(text: string, encoding: string): Uint8Array {
  const decoder = new TextDecoder(encoding);
  const table = new Map<string, number>();
  for (let byte = 0; byte < 256; byte++) table.set(decoder.decode(new Uint8Array([byte])), byte);
  return Uint8Array.from([...text].map((char) => table.get(char) ?? 0x3f));
}

describe('reading text in the encoding it was written in', () => {
  it('reads UTF-8, with and without a BOM', () => {
    const utf8 = new TextEncoder().encode(srt);
    expect(decodeText(utf8)).toBe(srt);
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]))).toBe(srt);
  });

  it('reads UTF-16 with a BOM', () => {
    const le = new Uint8Array([
      0xff,
      0xfe,
      ...new Uint8Array(Uint16Array.from([...srt].map((c) => c.charCodeAt(0))).buffer),
    ]);
    expect(detectTextEncoding(le)).toBe('utf-16le');
    expect(decodeText(le)).toBe(srt);
  });

  it.each(['windows-1251', 'koi8-r'])('tells %s Russian from the letters and converts it', (encoding) => {
    const bytes = encodeSingleByte(srt, encoding);
    expect(detectTextEncoding(bytes)).toBe(encoding);
    expect(decodeText(bytes)).toBe(srt);
  });

  it('refuses binary', () => {
    expect(decodeText(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0x0a]))).toBeNull();
  });
});
