/**
 * How long the host waits for slow clients. A whole request has no limit (a
 * 4 GB video over a home uplink takes an hour); what is cut off is a client
 * that sends its headers, or a small form body, too slowly to be anything
 * but an attack holding a connection open (slow-loris).
 *
 * Two of them can be shortened through the environment, so that tests (and
 * operators behind a hostile network) need not wait half a minute:
 * MEDIAHOST_HEADERS_TIMEOUT_MS and MEDIAHOST_BODY_TIMEOUT_MS. Values outside
 * 100 ms – 1 h are ignored.
 */

function fromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return fallback;
  const value = Number(raw);
  return value >= 100 && value <= 3600_000 ? value : fallback;
}

export const TIMEOUTS = {
  /** No limit on a whole request: a 4 GB video over a home uplink takes an hour. */
  request: 0,
  /** Slow-loris headers are cut off (also a connection that never sends a request). */
  headers: fromEnv('MEDIAHOST_HEADERS_TIMEOUT_MS', 30_000),
  keepAlive: 5_000,
  /** A connection on which nothing moves for this long is closed. */
  idle: 120_000,
  /**
   * The body of one of the host's own forms or JSON calls (at most 64 KB)
   * must have arrived within this; a client trickling it is cut off.
   */
  hostBody: fromEnv('MEDIAHOST_BODY_TIMEOUT_MS', 30_000),
};

/** How often Node checks the headers timeout: often enough that the timeout is what it says. */
export function connectionsCheckingInterval(): number {
  return Math.min(5_000, Math.max(50, Math.floor(TIMEOUTS.headers / 4)));
}
