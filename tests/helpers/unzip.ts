// Reads a zip back with a zip library (yauzl), checking every entry's size and CRC: name → bytes.
import yauzl from 'yauzl';

export async function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true }, (error, file) => {
      if (error) return reject(error);
      file.on('entry', (entry: yauzl.Entry) =>
        file.openReadStream(entry, async (openError, stream) => {
          if (openError) return reject(openError);
          const chunks: Buffer[] = [];
          try {
            for await (const chunk of stream) chunks.push(chunk as Buffer);
          } catch (readError) {
            return reject(readError);
          }
          files.set(entry.fileName, Buffer.concat(chunks));
          file.readEntry();
        }),
      );
      file.on('end', resolve);
      file.on('error', reject);
      file.readEntry();
    });
  });
  return files;
}
