// Stops a process once on SIGINT or SIGTERM (Ctrl-C, a service manager), after its cleanup ran.
import type { Logger } from './logger.ts';

export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { signal });
      stop()
        .catch((error) => logger.error('stop failed', { error: String(error) }))
        .finally(() => process.exit(0));
    });
  }
}
