/**
 * The one line a CLI command or a start prints for a database it cannot
 * open. What counts as an outage is plugin/host-api.ts's isDatabaseOutage,
 * shared with the plugin.
 */
import { isDatabaseOutage } from '../plugin/host-api.js';
import { databaseAddress, redactPassword } from './database-url.js';

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
