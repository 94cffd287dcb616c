// Which files Kabinet takes, by kind (their names' extensions, their contents' types), and which
// kinds each slot of the plan takes: one rule for the browser, which refuses a wrong file before a
// byte is sent, and the server, which refuses it again (server/uploads/).
import type { FileKind, SlotKind } from '../../db/schema.ts';

export type Accepted = { kind: FileKind; extensions: string[]; mimes: string[] };

export const accepted: Accepted[] = [
  {
    kind: 'video',
    extensions: ['mp4', 'm4v', 'mov', 'mkv', 'webm', 'avi', 'ts', 'mts', 'flv', '3gp'],
    mimes: [
      'video/mp4',
      'video/x-m4v',
      'video/quicktime',
      'video/matroska',
      'video/x-matroska',
      'video/webm',
      'video/vnd.avi',
      'video/x-msvideo',
      'video/mp2t',
      'video/x-flv',
      'video/3gpp',
      'video/3gpp2',
    ],
  },
  {
    kind: 'audio',
    extensions: ['mp3', 'm4a', 'aac', 'wav', 'ogg', 'oga', 'opus', 'flac'],
    mimes: [
      'audio/mpeg',
      'audio/x-m4a',
      'audio/mp4',
      'audio/aac',
      'audio/wav',
      'audio/x-wav',
      'audio/ogg',
      'audio/opus',
      'audio/flac',
      'audio/x-flac',
    ],
  },
  {
    kind: 'image',
    extensions: ['jpg', 'jpeg', 'png', 'webp', 'gif'],
    mimes: ['image/jpeg', 'image/png', 'image/webp', 'image/gif'],
  },
  {
    kind: 'document',
    extensions: ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'odt', 'ods', 'odp', 'rtf', 'txt', 'csv', 'zip'],
    mimes: [
      'application/pdf',
      'application/msword',
      'application/x-cfb',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      'application/vnd.oasis.opendocument.text',
      'application/vnd.oasis.opendocument.spreadsheet',
      'application/vnd.oasis.opendocument.presentation',
      'application/rtf',
      'application/zip',
      'text/plain',
      'text/csv',
    ],
  },
];

export function extensionOf(fileName: string): string {
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(fileName.trim());
  return match?.[1]?.toLowerCase() ?? '';
}

/** The kind a file name announces, or null when Kabinet does not take such files. */
export function kindByName(fileName: string): FileKind | null {
  const extension = extensionOf(fileName);
  return accepted.find((entry) => entry.extensions.includes(extension))?.kind ?? null;
}

/**
 * What a slot takes: a lecture, a recording (video or audio); a practical material, documents and
 * images, with a video beside them; an interim assessment, documents and images (its tasks). An
 * item outside the plan takes any kind.
 */
export const slotAccepts: Record<SlotKind, readonly FileKind[]> = {
  lecture_video: ['video', 'audio'],
  practical_material: ['document', 'image', 'video'],
  interim_assessment: ['document', 'image'],
};

/** The file chooser's `accept` for a slot kind (every extension of the kinds it takes), or for any file. */
export function acceptAttribute(slotKind: SlotKind | null): string {
  const kinds = slotKind ? slotAccepts[slotKind] : accepted.map((entry) => entry.kind);
  return accepted
    .filter((entry) => kinds.includes(entry.kind))
    .flatMap((entry) => entry.extensions.map((extension) => `.${extension}`))
    .join(',');
}

/** Why a file cannot go where it is sent (a dictionary key), or null when it can. */
export function refusalFor(fileName: string, slotKind: SlotKind | null): string | null {
  const kind = kindByName(fileName);
  if (!kind) return 'upload.type_not_allowed';
  if (slotKind && !slotAccepts[slotKind].includes(kind)) return `upload.slotTakes.${slotKind}`;
  return null;
}
