// A destination for Kabinet's logger (startServices' `logTo`) that keeps the lines for a test to read.
import { Writable } from 'node:stream';

export function logCapture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}
