/**
 * The host's log (pino), level from LOG_LEVEL, in one of two formats:
 * JSON lines, which a service manager or a container collects and the test
 * harness reads ("listening"), or one readable line per entry for a person
 * at a terminal (pino-pretty). By default a terminal gets the readable one.
 */
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { Logger } from '../plugin/host-api.js';

export type HostLogger = Pino;

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function defaultLogFormat(): LogFormat {
  return process.stdout.isTTY ? 'pretty' : 'json';
}

/**
 * Formats each entry in this thread (not in pino's transport worker) and
 * writes it at once: nothing is lost when the process exits right after
 * an entry, and entries keep their order with the banners written straight
 * to stdout. A person reads this format; it need not be fast.
 */
function prettyDestination(): DestinationStream {
  // Loaded only for this format: a service that logs JSON does not carry it (about 1 MB of heap).
  const { isColorSupported, prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  const format = prettyFactory({
    colorize: Boolean(process.stdout.isTTY) && isColorSupported,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  const stdout = pino.destination({ dest: 1, sync: true });
  return { write: (line: string) => void stdout.write(format(line)) };
}

export function createLogger(format: LogFormat = defaultLogFormat()): HostLogger {
  return pino(
    {
      level: process.env['LOG_LEVEL'] || 'info',
      base: { pid: process.pid },
      // pino's default serializer only applies to `err`; plugins may log under `error` too.
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    format === 'pretty' ? prettyDestination() : undefined,
  );
}

/** The plugin's view of a logger: only the four levels of the host contract. */
export function pluginLogger(log: HostLogger, pluginId: string): Logger {
  const child = log.child({ plugin: pluginId });
  const wrap =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (obj: object | string, msg?: string): void => {
      if (typeof obj === 'string') child[level](obj);
      else child[level](obj, msg);
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
