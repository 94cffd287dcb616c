// Reads one CSV file as registrars export it: UTF-8 with or without BOM, or Windows-1251 (still
// common in the region), with `,` or `;` between fields. Both are detected from the file itself.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { ImportProblem } from './import-problem.ts';
import type { SourceRow } from './read-workbook.ts';

export type CsvEncoding = 'utf-8' | 'windows-1251';

/** UTF-8 when the bytes are valid UTF-8 (a file cut mid-character at `sample`'s end counts as valid), else Windows-1251. */
export function detectEncoding(sample: Buffer): CsvEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, trimToCharBoundary(sample)));
    return 'utf-8';
  } catch {
    return 'windows-1251';
  }
}

/** The sample's length without a UTF-8 sequence cut at its end. */
function trimToCharBoundary(sample: Buffer): number {
  const end = sample.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = sample[end - back]!;
    if ((byte & 0xc0) === 0xc0) return end - back; // a lead byte whose sequence the cut ended
    if ((byte & 0x80) === 0) break;
  }
  return end;
}

/** `;` when the header line has more semicolons than commas (Excel in Russian locales writes `;`). */
export function detectDelimiter(firstLine: string): ',' | ';' {
  const count = (char: string) => firstLine.split(char).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

/** Decodes a byte stream to text (a BOM dropped) in the given encoding. */
async function* decoded(stream: Readable, encoding: CsvEncoding): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { ignoreBOM: false });
  for await (const chunk of stream) yield decoder.decode(chunk as Buffer, { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Rows of a CSV stream (`open` is called twice: once to sample it, once to read it). */
export async function* csvRows(
  open: () => Promise<Readable>,
  limits: { maxFieldChars: number },
): AsyncGenerator<SourceRow> {
  const sample = await firstBytes(await open(), 64 * 1024);
  const encoding = detectEncoding(sample);
  const head = new TextDecoder(encoding).decode(sample);
  const delimiter = detectDelimiter(head.split(/\r?\n/, 1)[0] ?? '');
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: limits.maxFieldChars,
  });
  // The consumer may stop early (a limit reached): the pipeline's own failure then says nothing new.
  const feeding = pipeline(Readable.from(decoded(await open(), encoding)), parser).catch(() => undefined);
  let number = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      number += 1;
      yield { number, cells: record, errorColumns: [] };
    }
  } catch (error) {
    if (error instanceof ImportProblem) throw error;
    throw new ImportProblem('unreadable_csv', { line: number + 1 });
  } finally {
    parser.destroy();
    await feeding;
  }
}

async function firstBytes(stream: Readable, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= count) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, count);
}

export const openFile = (path: string) => async () => createReadStream(path);
