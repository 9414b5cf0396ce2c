/**
 * JSON lines on stdout (pino), level from LOG_LEVEL: what a service manager
 * or a container collects, and what the test harness reads ("listening").
 */
import { pino, type Logger as Pino } from 'pino';
import type { Logger } from '../plugin/host-api.js';

export type HostLogger = Pino;

export function createLogger(): HostLogger {
  return pino({
    level: process.env['LOG_LEVEL'] || 'info',
    base: { pid: process.pid },
    // pino's default serializer only applies to `err`; plugins may log under `error` too.
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  });
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
