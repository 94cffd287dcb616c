// One JSON line per event through pino: `{"level":"info","at":"…",…fields,"message":"…"}`, on
// standard output, so that logs stay greppable and any collector (journald, Loki, docker) takes
// them as they are. The web process adds one access line per request (access-log.ts).
import { pino } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
type Emit = (message: string, fields?: Record<string, unknown>) => void;
export type Logger = Record<Exclude<LogLevel, 'silent'>, Emit> & {
  /** The pino logger underneath, for pino-http. */
  readonly pino: pino.Logger;
};

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const base = pino(
    {
      level,
      base: undefined,
      messageKey: 'message',
      timestamp: () => `,"at":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
  const emit =
    (at: Exclude<LogLevel, 'silent'>): Emit =>
    (message, fields) =>
      fields ? base[at](fields, message) : base[at](message);
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), pino: base };
}
