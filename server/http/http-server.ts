// The HTTP server around the web app: timeouts that keep slow senders out without cutting moving
// uploads, and a drain for SIGTERM (stop accepting, let running requests finish, then close).
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { cutSlowSenders } from './slow-senders.ts';
import type { WebApp } from './web-app.ts';

export type RunningServer = {
  server: Server;
  port: number;
  /** Stops accepting (readiness fails at once), waits up to `graceMs` for running requests, then closes every connection. */
  drain(graceMs: number): Promise<void>;
};

export async function serveWeb(
  web: WebApp,
  options: { port: number; host: string; http: HttpConfig; logger: Logger },
): Promise<RunningServer> {
  const server: Server = await new Promise((resolve, reject) => {
    const listening = web.app.listen(options.port, options.host, () => resolve(listening));
    listening.once('error', reject);
  });
  // Upload chunks on slow connections take long: no whole-request deadline, a minimum rate instead.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 10_000;
  const stopWatching = cutSlowSenders(server, { ...options.http.slowBody, logger: options.logger });

  const running = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    running.add(res);
    res.once('close', () => running.delete(res));
  });

  return {
    server,
    port: (server.address() as AddressInfo).port,
    async drain(graceMs) {
      web.readiness.draining = true;
      stopWatching();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections close as soon as they are idle; the running requests get the grace period.
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      const timedOut = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
      const outcome = await Promise.race([closed.then(() => 'drained' as const), timedOut]);
      clearInterval(idle);
      if (outcome === 'timeout') {
        options.logger.warn('shutdown grace period over: closing running requests', { running: running.size });
        server.closeAllConnections();
        await closed;
      }
    },
  };
}
