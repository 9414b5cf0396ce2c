/**
 * Whether an error means "the database cannot be reached right now" rather
 * than a bug: refused or dropped connections, a server shutting down or
 * starting, a pool that could not hand out a connection in time. Such a
 * request is answered 503 with Retry-After; the pool reconnects by itself.
 */
import { databaseAddress, redactPassword } from './database-url.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
// PostgreSQL SQLSTATE class 08 (connection exception) and 57P01-57P03 (shutdown, crash, cannot connect now).
const SQLSTATE = /^(08\d\d\d|57P0[123])$/;
const MESSAGES =
  /Connection terminated|not queryable|Timeout acquiring a connection|connection timeout|Connection ended/i;

export function isDatabaseOutage(err: unknown): boolean {
  for (
    let e = err as (Error & { code?: unknown; errors?: unknown[] }) | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || SQLSTATE.test(e.code))) return true;
    if (e.name === 'KnexTimeoutError' || (typeof e.message === 'string' && MESSAGES.test(e.message))) return true;
    // AggregateError (a host name with several addresses) and wrapped causes.
    if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseOutage(inner))) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** Seconds a client is told to wait before trying again. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * One line for a database that failed while opening, naming where it is and
 * never the password; null when the error is not about reaching or
 * entering the database (a bug, reported as such).
 */
export function databaseFailureLine(err: unknown, url: string | undefined): string | null {
  if (!url) return null;
  const e = err as Error & { code?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const where = `the database at ${databaseAddress(url)}`;
  const reason = redactPassword(code && !/^[0-9A-Z]{5}$/.test(code) ? code : e.message, url);
  if (isDatabaseOutage(err)) return `cannot reach ${where} (${reason})`;
  // 28xxx: authentication; 3D000: no such database; 42501: no permission.
  if (code && /^(28...|3D000|42501)$/.test(code))
    return `${where} refused the connection: ${redactPassword(e.message, url)}`;
  return null;
}
