// Benchmark baseline: a bare Node static file server (stat, then stream the file), nothing else.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const root = path.resolve(process.argv[2]!);
const server = http.createServer(async (req, res) => {
  const file = path.join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  if (!file.startsWith(root)) return void res.writeHead(404).end();
  try {
    const { size } = await fs.promises.stat(file);
    res.writeHead(200, { 'Content-Type': 'video/mp2t', 'Content-Length': size });
    fs.createReadStream(file).pipe(res);
  } catch {
    res.writeHead(404).end();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })}\n`,
  );
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
