/**
 * Hand-written: it caps every lock at `webdav.lock.maxtimeout`, whatever a client asks.
 *
 * The Timeout request header (RFC 4918 §10.7):
 *
 * ```
 * Timeout = "Timeout" ":" 1#TimeType
 * TimeType = ("Second-" DelaySeconds | "Infinite")
 * DelaySeconds = 1*DIGIT
 * ```
 *
 * "Clients MAY include Timeout request headers in their LOCK requests.
 * However, the server is not required to honor or even consider these
 * requests." The list names alternatives, most wanted first (the RFC's own
 * examples send `Infinite, Second-4100000000`), so the first value we can
 * honour wins, capped by the server's maximum (`webdav.lock.maxtimeout`).
 * `Infinite` is honoured as the maximum: a lock whose client vanished must
 * expire some day. Values we do not understand (other TimeTypes of future
 * extensions, `Second-0`, garbage) are skipped rather than refused, since
 * the server may ignore the header altogether.
 */

/** What a lock gets when the client names no usable timeout (capped by the maximum as well). */
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 3600;

/** The timeout in seconds to grant: ≥ 1 and ≤ maxSeconds. */
export function parseTimeout(header: string | undefined, maxSeconds: number): number {
  const max = Math.max(1, Math.floor(maxSeconds));
  for (const raw of (header ?? '').split(',')) {
    const value = raw.trim();
    if (/^infinite$/i.test(value)) return max;
    const seconds = /^second-(\d+)$/i.exec(value);
    if (!seconds) continue;
    // Digits beyond what a double holds exactly are still "more than the maximum".
    const n = seconds[1]!.length > 15 ? Number.POSITIVE_INFINITY : Number(seconds[1]);
    if (n >= 1) return Math.min(n, max);
  }
  return Math.min(DEFAULT_LOCK_TIMEOUT_SECONDS, max);
}
