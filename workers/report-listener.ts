// Keeps the report summaries within seconds of the data (decision 015): a change marks cabinets
// dirty and notifies `report_dirty`; this listener catches up shortly after, so that a burst of
// changes (an instructor publishing a week's materials) is refreshed in one pass.
import pg from 'pg';
import { catchUp } from '../server/reports/summaries.ts';
import type { Services } from '../server/services.ts';

/** How long a burst of notifications may gather before the refresh. */
const GATHER_MS = 300;
const RECONNECT_MS = 5_000;

export async function listenForReportChanges(services: Services): Promise<{ stop(): Promise<void> }> {
  let client: pg.Client | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  const refresh = () => {
    timer = null;
    running = running
      .then(() => catchUp(services.db))
      .then(
        (refreshed) => void (refreshed > 0 && services.logger.debug('report summaries refreshed', { departments: refreshed })),
        (error: unknown) => services.logger.warn('report refresh failed', { error: String(error) }),
      );
  };
  const connect = async (): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: services.databaseUrl });
    next.on('notification', () => {
      timer ??= setTimeout(refresh, GATHER_MS);
    });
    next.on('error', (error) => {
      if (stopped) return;
      services.logger.warn('report listener lost its connection', { error: error.message });
      client = null;
      void next.end().catch(() => undefined);
      setTimeout(() => void connect().catch(() => undefined), RECONNECT_MS).unref();
    });
    try {
      await next.connect();
      await next.query('listen report_dirty');
      client = next;
      refresh(); // whatever changed while nobody listened
    } catch (error) {
      services.logger.warn('report listener could not connect', { error: String(error) });
      await next.end().catch(() => undefined);
      setTimeout(() => void connect().catch(() => undefined), RECONNECT_MS).unref();
    }
  };
  await connect();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await client?.end().catch(() => undefined);
    },
  };
}
