/**
 * A database that cannot be reached right now (PostgreSQL restarting, the
 * network between): the request is answered 503 with Retry-After, never a
 * 500, and the connection pool reconnects by itself. The host answers its
 * own requests the same way (the plugin cannot import the host's module).
 */
import { DavError } from './errors.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
// SQLSTATE class 08 (connection exception) and 57P01-57P03 (shutdown, crash, cannot connect now).
const SQLSTATE = /^(08\d\d\d|57P0[123])$/;
const MESSAGES =
  /Connection terminated|not queryable|Timeout acquiring a connection|connection timeout|Connection ended/i;
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

export function isDatabaseOutage(err: unknown): boolean {
  for (
    let e = err as (Error & { code?: unknown; errors?: unknown[] }) | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || SQLSTATE.test(e.code))) return true;
    if (e.name === 'KnexTimeoutError' || (typeof e.message === 'string' && MESSAGES.test(e.message))) return true;
    if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseOutage(inner))) return true;
    e = e.cause as typeof e;
  }
  return false;
}

export const databaseUnavailable = (): DavError =>
  new DavError(503, 'The database is unavailable; try again in a few seconds', {
    headers: { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) },
  });
