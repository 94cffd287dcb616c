// Text files people bring from older tools: UTF-8 (with or without BOM), UTF-16 with a BOM, or a
// single-byte Cyrillic or Western code page (Windows-1251 is still common here). The encoding is
// read from the bytes themselves: a BOM, then strict UTF-8, then chardet's statistical guess.
import { analyse } from 'chardet';

/** Encodings we accept from a guess: what Cyrillic and Western tools wrote before UTF-8. */
const guessable = new Map([
  ['windows-1251', 'windows-1251'],
  ['KOI8-R', 'koi8-r'],
  ['ISO-8859-5', 'iso-8859-5'],
  ['IBM866', 'ibm866'],
  ['windows-1252', 'windows-1252'],
  ['ISO-8859-1', 'windows-1252'],
]);

/** The WHATWG name of the bytes' encoding, or null when they are not text we can read. */
export function detectTextEncoding(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes.includes(0)) return null; // binary, or UTF-16 without a BOM
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    // not UTF-8: a legacy code page, by the letters' statistics
  }
  for (const { name } of analyse(bytes)) {
    const encoding = guessable.get(name);
    if (encoding) return encoding;
  }
  return null;
}

/** The bytes as text (a BOM dropped), or null when their encoding cannot be told. */
export function decodeText(bytes: Uint8Array): string | null {
  const encoding = detectTextEncoding(bytes);
  return encoding === null ? null : new TextDecoder(encoding).decode(bytes);
}
