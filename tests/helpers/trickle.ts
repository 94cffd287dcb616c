// Sends a request over a raw socket, its body a few bytes at a time: for tests of slow senders
// and of requests still running when a process stops.
import net from 'node:net';

export type TrickleOutcome = {
  status: number | null;
  sent: number;
  cutAfterMs: number | null;
  answeredAt: number | null;
};
/** After `after` bytes, nothing is sent for `ms` (a client whose connection stalled). */
export type TricklePause = { after: number; ms: number };
export type RawHead = Record<string, string> & { line: string };

/**
 * Sends `head` then `body`, `piece` bytes every `everyMs` (stalling once if `pause` says so);
 * resolves with the answer's status and when it came, or how long until the server cut it.
 */
export function trickle(
  baseUrl: string,
  head: RawHead,
  body: Buffer,
  piece: number,
  everyMs: number,
  pause?: TricklePause,
): Promise<TrickleOutcome> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(Number(port), hostname);
    let sent = 0;
    let answer = '';
    let answeredAt: number | null = null;
    let resumeAt = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      const { line, ...headers } = head;
      const fields = {
        Host: `${hostname}:${port}`,
        Origin: baseUrl,
        'Content-Length': String(body.length),
        ...headers,
      };
      socket.write(
        `${line}\r\n${Object.entries(fields)
          .map(([name, value]) => `${name}: ${value}`)
          .join('\r\n')}\r\n\r\n`,
      );
      timer = setInterval(() => {
        if (socket.destroyed || sent >= body.length) return clearInterval(timer);
        if (pause && sent >= pause.after && resumeAt === 0) resumeAt = Date.now() + pause.ms;
        if (Date.now() < resumeAt) return;
        socket.write(body.subarray(sent, sent + piece));
        sent = Math.min(body.length, sent + piece);
      }, everyMs);
    });
    socket.on('data', (chunk) => {
      answeredAt ??= Date.now();
      answer += chunk.toString('latin1');
      socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      resolve({
        status: status ? Number(status) : null,
        sent,
        cutAfterMs: status ? null : Date.now() - started,
        answeredAt,
      });
    });
  });
}

/** A form POST's head for `trickle`. */
export const formHead = (path: string, extra: Record<string, string> = {}): RawHead => ({
  line: `POST ${path} HTTP/1.1`,
  'Content-Type': 'application/x-www-form-urlencoded',
  ...extra,
});
