/**
 * The traffic of the last days, from the audit log (`webdav_audit`): per
 * day, how many requests, and how many body bytes came in and went out.
 *
 * The database adds it up: one query grouped by day over the indexed time
 * range (filtered by user or share through their indexes), never the rows
 * themselves, so 90 days of a busy server cost a few dozen rows. Days are
 * those of the caller's clock: the browser says how far its time is from
 * UTC, and a day runs from its midnight to the next.
 */
import type { Knex } from 'knex';
import { AUDIT_TABLE } from './audit.js';

const DAY_MS = 86_400_000;

export interface TrafficQuery {
  /** How many days, today included. */
  readonly days: number;
  /** Minutes the caller's clock is ahead of UTC (e.g. 60 in Berlin in winter, -300 in New York). */
  readonly utcOffsetMinutes: number;
  /** Only this user's requests (the name the request gave). */
  readonly user?: string;
  /** Only the requests to this share. */
  readonly mount?: string;
  /** Milliseconds since the epoch; tests set it. */
  readonly now?: number;
}

export interface TrafficDay {
  /** YYYY-MM-DD, on the caller's clock. */
  readonly date: string;
  readonly requests: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface Traffic {
  /** Every day of the period, oldest first; a day without requests is all zeros. */
  readonly days: TrafficDay[];
  /** Who made a successful request in the period (the choices of the user filter), sorted. */
  readonly users: string[];
  /** The shares a successful request went to in the period, sorted. */
  readonly mounts: string[];
}

interface DayRow {
  day: number | string;
  requests: number | string;
  bytes_in: number | string | null;
  bytes_out: number | string | null;
}

export async function auditTraffic(db: Knex, query: TrafficQuery): Promise<Traffic> {
  const offsetMs = Math.round(query.utcOffsetMinutes) * 60_000;
  const today = Math.floor(((query.now ?? Date.now()) + offsetMs) / DAY_MS);
  const firstDay = today - query.days + 1;
  const from = firstDay * DAY_MS - offsetMs;
  const to = (today + 1) * DAY_MS - offsetMs;
  const inPeriod = () => db(AUDIT_TABLE).where('at_ms', '>=', from).andWhere('at_ms', '<', to);

  let totals = inPeriod()
    // Integer division on both databases: at_ms and the offset are integers (bigint on PostgreSQL).
    .select(db.raw(`(at_ms + ?) / ${DAY_MS} as day`, [offsetMs]))
    .count({ requests: '*' })
    .sum({ bytes_in: 'bytes_in' })
    .sum({ bytes_out: 'bytes_out' })
    .groupBy('day');
  if (query.user) totals = totals.andWhere('user_name', query.user);
  if (query.mount) totals = totals.andWhere('mount', query.mount);

  // Names from failed logins (anyone may send any name) are no choice to offer.
  const namesOf = async (column: 'user_name' | 'mount'): Promise<string[]> => {
    const found = (await inPeriod().andWhere('status', '<', 400).whereNotNull(column).distinct(column)) as Record<
      string,
      string
    >[];
    return found.map((row) => row[column]!).sort((a, b) => a.localeCompare(b));
  };
  const [rows, users, mounts] = await Promise.all([
    totals as unknown as Promise<DayRow[]>,
    namesOf('user_name'),
    namesOf('mount'),
  ]);

  const byDay = new Map(rows.map((row) => [Number(row.day), row]));
  const days: TrafficDay[] = [];
  for (let day = firstDay; day <= today; day++) {
    const row = byDay.get(day);
    days.push({
      date: new Date(day * DAY_MS).toISOString().slice(0, 10),
      requests: Number(row?.requests ?? 0),
      bytesIn: Number(row?.bytes_in ?? 0),
      bytesOut: Number(row?.bytes_out ?? 0),
    });
  }
  return { days, users, mounts };
}
