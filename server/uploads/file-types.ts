// Which files Kabinet accepts, told by name at creation and by content (magic bytes) at the end.
import fs from 'node:fs/promises';
import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';
import { accepted, extensionOf, kindByName } from '../common/file-kinds.ts';
import type { FileKind } from '../../db/schema.ts';

/** Types a browser may show inline; everything else downloads as an attachment. Never SVG. */
const inlineTypes = new Set(['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/gif']);

export function isInlineType(contentType: string): boolean {
  return inlineTypes.has(contentType);
}

export type DetectedType = { kind: FileKind; contentType: string; extension: string };

const markup = /<\s*(script|html|svg|!doctype|iframe|object|embed|body|meta)\b/i;

/** Bytes of a file that tell its type: the signatures we take, and enough text to judge it. */
export const HEAD_BYTES = 64 * 1024;

/**
 * Plain text has no signature: accept UTF-8 without NUL bytes or markup a browser could run.
 * `head` is the file's first bytes; `whole` when it is the entire file.
 */
function detectText(head: Buffer, nameExtension: string, whole: boolean): DetectedType | null {
  if (nameExtension !== 'txt' && nameExtension !== 'csv') return null;
  if (head.length === 0 || head.includes(0)) return null;
  let text: string;
  try {
    // A multi-byte character may be cut at the head's end: decode up to the last full line.
    const cut = whole ? head.length : head.lastIndexOf(0x0a);
    text = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, cut > 0 ? cut : head.length));
  } catch {
    return null;
  }
  if (markup.test(text)) return null;
  return {
    kind: 'document',
    contentType: nameExtension === 'csv' ? 'text/csv' : 'text/plain',
    extension: nameExtension,
  };
}

function accept(
  found: { mime: string; ext: string } | undefined,
  fileName: string,
  textHead: () => DetectedType | null,
): DetectedType | null {
  const announced = kindByName(fileName);
  if (!announced) return null;
  if (!found) return textHead();
  const entry = accepted.find((candidate) => candidate.mimes.includes(found.mime));
  if (!entry || entry.kind !== announced) return null;
  return { kind: entry.kind, contentType: found.mime, extension: found.ext };
}

/** What the bytes are, if Kabinet accepts it as the kind its name announced; null otherwise. */
export async function detectAcceptedType(filePath: string, fileName: string): Promise<DetectedType | null> {
  if (!kindByName(fileName)) return null;
  const found = await fileTypeFromFile(filePath);
  if (found) return accept(found, fileName, () => null);
  const handle = await fs.open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return accept(undefined, fileName, () =>
      detectText(buffer.subarray(0, bytesRead), extensionOf(fileName), bytesRead < buffer.length),
    );
  } finally {
    await handle.close();
  }
}

/**
 * The same judgement from the first HEAD_BYTES of a file still arriving. Every format Kabinet takes
 * is told by its first bytes (an MP3's long ID3 tag by the tag's header), so this gives the answer
 * the complete file will.
 */
export async function detectAcceptedTypeOfHead(head: Buffer, fileName: string): Promise<DetectedType | null> {
  if (!kindByName(fileName)) return null;
  return accept(await fileTypeFromBuffer(head), fileName, () => detectText(head, extensionOf(fileName), false));
}
