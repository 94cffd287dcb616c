// Benchmark baseline: the least a Node server can do to answer a page (a bare node:http hello-world).
import http from 'node:http';

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' }).end('hello');
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` })}\n`,
  );
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
