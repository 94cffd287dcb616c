// The report refresher (decisions 015, 035): keeps the report summaries within seconds of the data.
// A change marks cabinets dirty and notifies `report_dirty`; this listener catches up shortly after,
// so that a burst of changes (an instructor publishing a week's materials) is refreshed in one pass.
// It also wakes when the earliest kept count runs out (a due moment passes), so that readers, who
// never write, seldom find anything behind.
import { sql } from 'kysely';
import pg from 'pg';
import { catchUp } from '../server/reports/summaries.ts';
import type { Services } from '../server/services.ts';

/** How long a burst of notifications may gather before the refresh. */
const GATHER_MS = 300;
const RECONNECT_MS = 5_000;
/** The longest it sleeps before looking again for counts that run out (the minutely job is the net under it). */
const LONGEST_SLEEP_MS = 60 * 60_000;

export async function listenForReportChanges(services: Services): Promise<{ stop(): Promise<void> }> {
  let client: pg.Client | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let expiry: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();

  /** Wakes the refresher when the earliest kept count runs out. */
  const sleepUntilExpiry = async () => {
    const { rows } = await sql<{ wait_ms: number | null }>`
      select extract(epoch from min(valid_until) - now()) * 1000 as wait_ms from department_current where valid_until > now()`.execute(
      services.db,
    );
    const waitMs = rows[0]?.wait_ms;
    if (stopped) return;
    if (expiry) clearTimeout(expiry);
    const wake = () => {
      expiry = null;
      refresh();
    };
    expiry =
      waitMs === null || waitMs === undefined
        ? null
        : setTimeout(wake, Math.min(Math.max(0, Number(waitMs)) + 50, LONGEST_SLEEP_MS));
  };
  const refresh = () => {
    running = running
      .then(() => catchUp(services.db))
      .then(async (refreshed) => {
        if (refreshed > 0) services.logger.debug('report summaries refreshed', { departments: refreshed });
        await sleepUntilExpiry();
      })
      .catch((error: unknown) => services.logger.warn('report refresh failed', { error: String(error) }));
  };
  const connect = async (): Promise<void> => {
    if (stopped) return;
    const next = new pg.Client({ connectionString: services.databaseUrl });
    next.on('notification', () => {
      timer ??= setTimeout(() => {
        timer = null;
        refresh();
      }, GATHER_MS);
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
      if (expiry) clearTimeout(expiry);
      await running;
      if (expiry) clearTimeout(expiry);
      await client?.end().catch(() => undefined);
    },
  };
}
