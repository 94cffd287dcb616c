// Benchmark baseline: the least a server can do to receive a file durably (stream to disk, fsync).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.argv[2]!;
let n = 0;
const server = http.createServer(async (req, res) => {
  const target = path.join(dir, `bare-${n++}`);
  const out = fs.createWriteStream(target);
  await pipeline(req, out);
  const handle = await fs.promises.open(target, 'r');
  await handle.sync();
  await handle.close();
  await fs.promises.rm(target);
  res.writeHead(204).end();
});
server.requestTimeout = 0;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })}\n`,
  );
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
