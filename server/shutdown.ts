// How a process ends (decision 023): once, on SIGINT or SIGTERM (Ctrl-C, a service manager),
// after its cleanup ran, exit code 0; on a programming error that escaped every handler
// (uncaughtException) after the same cleanup cut short, exit code 1, so that the supervisor
// (systemd, compose) starts a clean process. A promise rejected with nobody listening is logged
// and the process keeps serving: it failed alone, nothing was left half-changed in memory.
import type { Logger } from './logger.ts';

/** Longest a process spends cleaning up after an uncaught exception before it exits anyway. */
const fatalCleanupMs = 10_000;

export type ProcessEvents = { onUnhandledRejection?: () => void };

export function onShutdown(logger: Logger, stop: () => Promise<void>, events: ProcessEvents = {}): void {
  let stopping = false;
  const end = (code: number, limitMs: number | null) => {
    if (stopping) return;
    stopping = true;
    if (limitMs !== null) setTimeout(() => process.exit(code), limitMs).unref();
    stop()
      .catch((error) => logger.error('stop failed', { error: describe(error) }))
      .finally(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      logger.info('stopping', { signal });
      end(0, null);
    });
  }
  process.on('unhandledRejection', (reason) => {
    events.onUnhandledRejection?.();
    logger.error('unhandled promise rejection (kept serving)', { error: describe(reason) });
  });
  process.on('uncaughtException', (error, origin) => {
    logger.error('uncaught exception: stopping so that a clean process takes over', { origin, error: describe(error) });
    end(1, fatalCleanupMs);
  });
}

/** An error as one log field: its stack (which has the message) or its text. */
export function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? String(error)) : String(error);
}
