// The "download all" zip laid out before a byte is sent: every file is stored (not compressed)
// with the size and CRC-32 kept when it arrived, so every header, every offset and the total
// length are known up front. That gives an exact Content-Length and lets any byte range be
// produced on its own (a download that broke off resumes with `Range`), with no checksum work at
// download time. Zip64 records are written exactly when the format needs them (a file or an
// offset past 4 GiB, more than 65,534 entries).

export type ZipFileSpec = { name: string; size: number; crc32: number; key: string };

/** A piece of the zip: bytes made here (headers) or a stored file's bytes. */
export type ZipPart = { offset: number; length: number } & ({ bytes: Buffer } | { key: string });

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;

/** MS-DOS time and date of `when` (local to UTC, as zip tools read them). */
function dosTime(when: Date): { time: number; date: number } {
  const year = Math.max(1980, when.getUTCFullYear());
  return {
    time: (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | Math.floor(when.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate(),
  };
}

function localHeader(name: Buffer, file: ZipFileSpec, when: { time: number; date: number }): Buffer {
  const zip64 = file.size >= MAX32;
  const extra = zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
  if (zip64) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(16, 2);
    extra.writeBigUInt64LE(BigInt(file.size), 4);
    extra.writeBigUInt64LE(BigInt(file.size), 12);
  }
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(zip64 ? 45 : 20, 4); // version needed
  header.writeUInt16LE(0x0800, 6); // names in UTF-8
  header.writeUInt16LE(0, 8); // stored
  header.writeUInt16LE(when.time, 10);
  header.writeUInt16LE(when.date, 12);
  header.writeUInt32LE(file.crc32 >>> 0, 14);
  header.writeUInt32LE(zip64 ? MAX32 : file.size, 18);
  header.writeUInt32LE(zip64 ? MAX32 : file.size, 22);
  header.writeUInt16LE(name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, name, extra]);
}

function centralHeader(name: Buffer, file: ZipFileSpec, offset: number, when: { time: number; date: number }): Buffer {
  const bigSize = file.size >= MAX32;
  const bigOffset = offset >= MAX32;
  const fields = [...(bigSize ? [file.size, file.size] : []), ...(bigOffset ? [offset] : [])];
  const extra = Buffer.alloc(fields.length ? 4 + fields.length * 8 : 0);
  if (fields.length) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(fields.length * 8, 2);
    fields.forEach((value, i) => extra.writeBigUInt64LE(BigInt(value), 4 + i * 8));
  }
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE((3 << 8) | 45, 4); // made by: Unix, zip 4.5
  header.writeUInt16LE(fields.length ? 45 : 20, 6);
  header.writeUInt16LE(0x0800, 8);
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(when.time, 12);
  header.writeUInt16LE(when.date, 14);
  header.writeUInt32LE(file.crc32 >>> 0, 16);
  header.writeUInt32LE(bigSize ? MAX32 : file.size, 20);
  header.writeUInt32LE(bigSize ? MAX32 : file.size, 24);
  header.writeUInt16LE(name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt16LE(0, 32); // comment
  header.writeUInt16LE(0, 34); // disk
  header.writeUInt16LE(0, 36); // internal attributes
  header.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
  header.writeUInt32LE(bigOffset ? MAX32 : offset, 42);
  return Buffer.concat([header, name, extra]);
}

function endRecords(entries: number, directoryOffset: number, directorySize: number): Buffer {
  const zip64 = entries >= MAX16 || directoryOffset >= MAX32 || directorySize >= MAX32;
  const records: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE((3 << 8) | 45, 12);
    record.writeUInt16LE(45, 14);
    record.writeUInt32LE(0, 16);
    record.writeUInt32LE(0, 20);
    record.writeBigUInt64LE(BigInt(entries), 24);
    record.writeBigUInt64LE(BigInt(entries), 32);
    record.writeBigUInt64LE(BigInt(directorySize), 40);
    record.writeBigUInt64LE(BigInt(directoryOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeUInt32LE(0, 4);
    locator.writeBigUInt64LE(BigInt(directoryOffset + directorySize), 8);
    locator.writeUInt32LE(1, 16);
    records.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(Math.min(entries, MAX16), 8);
  end.writeUInt16LE(Math.min(entries, MAX16), 10);
  end.writeUInt32LE(Math.min(directorySize, MAX32), 12);
  end.writeUInt32LE(Math.min(directoryOffset, MAX32), 16);
  end.writeUInt16LE(0, 20);
  records.push(end);
  return Buffer.concat(records);
}

/** The zip's parts in order, and its length. */
export function zipLayout(files: ZipFileSpec[], modified: Date): { parts: ZipPart[]; totalBytes: number } {
  const when = dosTime(modified);
  const parts: ZipPart[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const add = (part: { bytes: Buffer } | { key: string; length: number }) => {
    const length = 'bytes' in part ? part.bytes.length : part.length;
    parts.push({ ...part, offset, length });
    offset += length;
  };
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    central.push(centralHeader(name, file, offset, when));
    add({ bytes: localHeader(name, file, when) });
    if (file.size > 0) add({ key: file.key, length: file.size });
  }
  const directoryOffset = offset;
  const directory = Buffer.concat(central);
  add({ bytes: directory });
  add({ bytes: endRecords(files.length, directoryOffset, directory.length) });
  return { parts, totalBytes: offset };
}

/** The parts that hold bytes `start`…`end` (inclusive), each with the slice of it to send. */
export function partsInRange(
  parts: ZipPart[],
  start: number,
  end: number,
): Array<{ part: ZipPart; from: number; to: number }> {
  const chosen: Array<{ part: ZipPart; from: number; to: number }> = [];
  for (const part of parts) {
    const last = part.offset + part.length - 1;
    if (last < start || part.offset > end) continue;
    chosen.push({ part, from: Math.max(start, part.offset) - part.offset, to: Math.min(end, last) - part.offset });
  }
  return chosen;
}
