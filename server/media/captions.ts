// Caption files the instructor attaches: WebVTT as it is (checked), SRT converted to WebVTT, from
// UTF-8 or the code page an older tool wrote (decode-text.ts). Pure.
import { AppError } from '../errors.ts';
import { decodeText } from '../text/decode-text.ts';

export const CAPTION_MAX_BYTES = 2 * 1024 * 1024;
const cueTime = /^(\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}\s+-->\s+(\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}/;

const invalid = () => new AppError('invalid_input', 'captions.invalid');

/** `00:01:02,5` → `00:01:02.500`, hours added when missing. */
function vttTime(time: string): string {
  const [clock, fraction = '0'] = time.split(/[.,]/);
  const parts = clock!.split(':');
  while (parts.length < 3) parts.unshift('0');
  return `${parts.map((part) => part.padStart(2, '0')).join(':')}.${fraction.padEnd(3, '0').slice(0, 3)}`;
}

/**
 * Returns WebVTT for an uploaded caption file, or throws `captions.invalid` when it is neither
 * WebVTT nor SRT with at least one cue. Cue text keeps WebVTT's own tags (b, i, u); others such
 * as SRT's `<font>` are dropped.
 */
export function toWebVtt(bytes: Uint8Array): string {
  if (bytes.byteLength === 0 || bytes.byteLength > CAPTION_MAX_BYTES) throw invalid();
  const decoded = decodeText(bytes);
  if (decoded === null) throw invalid();
  const text = decoded.replace(/\r\n?/g, '\n');
  const isVtt = /^WEBVTT(?:[ \t].*)?(?:\n|$)/.test(text);
  const blocks = text
    .split(/\n{2,}/)
    .map((block) => block.trim())
    .filter(Boolean);
  const cues: string[] = [];
  for (const block of isVtt ? blocks.slice(1) : blocks) {
    const lines = block.split('\n');
    const at = lines.findIndex((line) => cueTime.test(line));
    if (at === -1 || at > 1) {
      if (isVtt && /^(NOTE|STYLE|REGION)\b/.test(block)) continue;
      throw invalid();
    }
    const [start, , end, ...settings] = lines[at]!.trim().split(/\s+/);
    const body = lines
      .slice(at + 1)
      .map((line) => line.replace(/<(?!\/?(?:b|i|u)>)[^>]*>/g, '').replaceAll('-->', '→'))
      .filter((line) => line.trim());
    const timing = `${vttTime(start!)} --> ${vttTime(end!)}${isVtt && settings.length ? ` ${settings.join(' ')}` : ''}`;
    cues.push([timing, ...body].join('\n'));
  }
  if (!cues.length) throw invalid();
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}
