// Reads an XLSX workbook sheet by sheet, row by row, never whole: each part is unpacked by the
// size-checking zip reader (safe-zip.ts) and parsed as it streams by saxes. Cells are read as the
// file stores them: a formula's cached value (never evaluated), a date cell as an ISO date.
// Why not exceljs's streaming reader: it loses sheets when its reader awaits between rows
// (docs/decisions/018-registrar-imports.md).
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { ImportProblem } from './import-problem.ts';
import type { SafeZip } from './safe-zip.ts';

export type SourceRow = { number: number; cells: string[]; errorColumns: number[] };
export type SourceSheet = { name: string; rows: AsyncIterable<SourceRow> };

export function isWorkbook(zip: SafeZip): boolean {
  return zip.names.includes('xl/workbook.xml');
}

type Handlers = {
  open?: (tag: SaxesTagPlain) => void;
  text?: (text: string) => void;
  close?: (tag: SaxesTagPlain) => void;
};

/** Excel's own bounds: a cell is at most 32,767 characters, a sheet 16,384 columns and 1,048,576 rows. */
const maxColumn = 16_383;
const maxRow = 1_048_576;
/** Characters between two tags: a cell's text, escaped, fits well within this. */
const maxTextRun = 256 * 1024;

/**
 * Refuses XML whose text between two tags runs longer than any cell can be: saxes would hold such a
 * run whole in memory before handing it over. `carried` is the run left open by earlier chunks.
 */
function checkTextRuns(chunk: string, carried: number): number {
  let run = carried;
  let from = 0;
  for (let at = chunk.indexOf('<'); at !== -1; at = chunk.indexOf('<', from)) {
    if (run + (at - from) > maxTextRun) throw new ImportProblem('unreadable_workbook');
    run = 0;
    from = at + 1;
  }
  run += chunk.length - from;
  if (run > maxTextRun) throw new ImportProblem('unreadable_workbook');
  return run;
}

/** Parses one part of the workbook, calling the handlers; after each chunk, `drain` may yield what they built. */
async function* parsePart<T>(zip: SafeZip, name: string, handlers: Handlers, drain: () => T[]): AsyncGenerator<T> {
  const parser = new SaxesParser();
  if (handlers.open) parser.on('opentag', handlers.open);
  if (handlers.text) parser.on('text', handlers.text);
  if (handlers.close) parser.on('closetag', handlers.close);
  const decoder = new TextDecoder('utf-8');
  let run = 0;
  try {
    for await (const chunk of await zip.open(name)) {
      const text = decoder.decode(chunk as Buffer, { stream: true });
      run = checkTextRuns(text, run);
      parser.write(text);
      yield* drain();
    }
    parser.write(decoder.decode());
    parser.close();
    yield* drain();
  } catch (error) {
    if (error instanceof ImportProblem) throw error;
    throw new ImportProblem('unreadable_workbook');
  }
}

/** Reads a small part whole (the workbook's structure, its styles and shared strings). */
async function readPart(zip: SafeZip, name: string, handlers: Handlers): Promise<void> {
  if (!zip.names.includes(name)) return;
  for await (const _ of parsePart(zip, name, handlers, () => [])) continue;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** The sheets in the workbook's order, each with its part's path, and whether dates count from 1904. */
async function readStructure(
  zip: SafeZip,
): Promise<{ sheets: Array<{ name: string; part: string }>; date1904: boolean }> {
  const targets = new Map<string, string>();
  await readPart(zip, 'xl/_rels/workbook.xml.rels', {
    open: (tag) => {
      if (localName(tag.name) === 'Relationship') targets.set(String(tag.attributes.Id), String(tag.attributes.Target));
    },
  });
  const sheets: Array<{ name: string; part: string }> = [];
  let date1904 = false;
  await readPart(zip, 'xl/workbook.xml', {
    open: (tag) => {
      const name = localName(tag.name);
      if (name === 'workbookPr') date1904 = ['1', 'true'].includes(String(tag.attributes.date1904 ?? ''));
      if (name !== 'sheet') return;
      const relId = Object.entries(tag.attributes).find(([key]) => localName(key) === 'id')?.[1];
      const target = targets.get(String(relId));
      if (!target) throw new ImportProblem('unreadable_workbook');
      sheets.push({
        name: String(tag.attributes.name ?? ''),
        part: target.startsWith('/') ? target.slice(1) : `xl/${target}`,
      });
    },
  });
  return { sheets, date1904 };
}

async function readSharedStrings(zip: SafeZip): Promise<string[]> {
  const strings: string[] = [];
  let current: string[] | null = null;
  let inText = false;
  let inPhonetic = false;
  await readPart(zip, 'xl/sharedStrings.xml', {
    open: (tag) => {
      const name = localName(tag.name);
      if (name === 'si') current = [];
      else if (name === 'rPh') inPhonetic = true;
      else if (name === 't') inText = !inPhonetic;
    },
    text: (text) => {
      if (inText && current) current.push(text);
    },
    close: (tag) => {
      const name = localName(tag.name);
      if (name === 'si' && current) strings.push(current.join(''));
      else if (name === 'rPh') inPhonetic = false;
      else if (name === 't') inText = false;
    },
  });
  return strings;
}

/** Built-in number formats that show a date (ECMA-376 18.8.30). */
const builtInDateFormats = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56,
  57, 58,
]);

/** The cell styles (`s`) whose number format shows a date. */
async function readDateStyles(zip: SafeZip): Promise<Set<number>> {
  const customDate = new Set<number>();
  const styles: number[] = [];
  let inCellXfs = false;
  await readPart(zip, 'xl/styles.xml', {
    open: (tag) => {
      const name = localName(tag.name);
      if (name === 'numFmt') {
        // A format with a day or a year, once quoted text and [colour]/[locale] parts are removed.
        const code = String(tag.attributes.formatCode ?? '').replace(/"[^"]*"|\[[^\]]*\]/g, '');
        if (/[dy]/i.test(code)) customDate.add(Number(tag.attributes.numFmtId));
      } else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) styles.push(Number(tag.attributes.numFmtId ?? 0));
    },
    close: (tag) => {
      if (localName(tag.name) === 'cellXfs') inCellXfs = false;
    },
  });
  const dates = new Set<number>();
  styles.forEach((format, index) => {
    if (builtInDateFormats.has(format) || customDate.has(format)) dates.add(index);
  });
  return dates;
}

/** Excel's day number as an ISO date (the 1900 system counts a 29 February 1900 that never was). */
function serialToDate(serial: number, date1904: boolean): string {
  const days = date1904 ? serial + 1462 : serial < 60 ? serial + 1 : serial;
  return new Date(Date.UTC(1899, 11, 30) + Math.floor(days) * 86_400_000).toISOString().slice(0, 10);
}

/** A column's index from a reference such as `AB12` (0 for `A`). */
function columnIndex(reference: string): number {
  let index = 0;
  for (const char of reference) {
    const code = char.charCodeAt(0);
    if (code < 65 || code > 90) break;
    index = index * 26 + (code - 64);
  }
  return index - 1;
}

type CellState = { column: number; type: string; style: number; value: string; inline: string[] };

function sheetRows(
  zip: SafeZip,
  part: string,
  shared: string[],
  dateStyles: Set<number>,
  date1904: boolean,
): AsyncGenerator<SourceRow> {
  const ready: SourceRow[] = [];
  let row: SourceRow | null = null;
  let cell: CellState | null = null;
  let textTarget: 'value' | 'inline' | null = null;
  let nextRow = 1;
  const finishCell = (state: CellState, current: SourceRow) => {
    let text: string;
    if (state.type === 's') text = shared[Number(state.value)] ?? '';
    else if (state.type === 'inlineStr') text = state.inline.join('');
    else if (state.type === 'b') text = state.value === '1' ? 'true' : 'false';
    else if (state.type === 'e') {
      current.errorColumns.push(state.column);
      text = '';
    } else if (state.type === 'd') text = state.value.slice(0, 10);
    else if (state.type === 'str') text = state.value;
    else if (state.value !== '' && dateStyles.has(state.style)) text = serialToDate(Number(state.value), date1904);
    else text = state.value === '' || !Number.isFinite(Number(state.value)) ? state.value : String(Number(state.value));
    while (current.cells.length < state.column) current.cells.push('');
    current.cells[state.column] = text;
  };
  return parsePart(
    zip,
    part,
    {
      open: (tag) => {
        const name = localName(tag.name);
        if (name === 'row') {
          const number = Number(tag.attributes.r ?? nextRow);
          if (!Number.isInteger(number) || number < 1 || number > maxRow)
            throw new ImportProblem('unreadable_workbook');
          row = { number, cells: [], errorColumns: [] };
          nextRow = number + 1;
        } else if (name === 'c' && row) {
          const reference = String(tag.attributes.r ?? '');
          const column = reference ? columnIndex(reference) : row.cells.length;
          if (column < 0 || column > maxColumn) throw new ImportProblem('unreadable_workbook');
          cell = {
            column,
            type: String(tag.attributes.t ?? 'n'),
            style: Number(tag.attributes.s ?? 0),
            value: '',
            inline: [],
          };
        } else if (cell && name === 'v') textTarget = 'value';
        else if (cell && name === 't') textTarget = 'inline';
      },
      text: (text) => {
        if (!cell || !textTarget) return;
        if (textTarget === 'value') cell.value += text;
        else cell.inline.push(text);
      },
      close: (tag) => {
        const name = localName(tag.name);
        if (name === 'v' || name === 't') textTarget = null;
        else if (name === 'c' && cell && row) {
          finishCell(cell, row);
          cell = null;
        } else if (name === 'row' && row) {
          ready.push(row);
          row = null;
        }
      },
    },
    () => ready.splice(0),
  );
}

/** The workbook's sheets in order (a sheet's rows are read when asked for, one sheet at a time). */
export async function* workbookSheets(zip: SafeZip): AsyncGenerator<SourceSheet> {
  const { sheets, date1904 } = await readStructure(zip);
  const shared = await readSharedStrings(zip);
  const dateStyles = await readDateStyles(zip);
  for (const sheet of sheets) {
    if (!zip.names.includes(sheet.part)) throw new ImportProblem('unreadable_workbook');
    yield { name: sheet.name, rows: sheetRows(zip, sheet.part, shared, dateStyles, date1904) };
  }
}
