/**
 * The web login's throttle (host/login-throttle.ts) where several instances
 * share one PostgreSQL database: the failures per (name, address) live in
 * the table host_login_failures, counted by one atomic upsert, so five wrong
 * passwords spread over two instances lock the pair as five on one would.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { MAX_FAILURES, WINDOW_MS } from './login-throttle.js';

const TABLE = 'host_login_failures';

/** The row of a pair: a hash, since a name typed into the form may be long or hold any character. */
const keyOf = (name: string, address: string): string =>
  createHash('sha256').update(`${address}\n${name}`).digest('base64url');

export class SharedLoginThrottle {
  constructor(private readonly db: Knex) {}

  /** Milliseconds to wait before the next attempt, 0 when allowed. */
  async waitMs(name: string, address: string, now = Date.now()): Promise<number> {
    const row = (await this.db(TABLE)
      .where({ key: keyOf(name, address) })
      .first('count', 'since')) as { count: number | string; since: number | string } | undefined;
    if (!row || now - Number(row.since) > WINDOW_MS) return 0;
    return Number(row.count) >= MAX_FAILURES ? Number(row.since) + WINDOW_MS - now : 0;
  }

  async failed(name: string, address: string, now = Date.now()): Promise<void> {
    const fresh = now - WINDOW_MS;
    await this.db(TABLE)
      .insert({ key: keyOf(name, address), count: 1, since: now })
      .onConflict('key')
      .merge({
        count: this.db.raw(`case when ${TABLE}.since >= ? then ${TABLE}.count + 1 else 1 end`, [fresh]),
        since: this.db.raw(`case when ${TABLE}.since >= ? then ${TABLE}.since else ? end`, [fresh, now]),
      });
    // Now and then, the rows of pairs whose window is over.
    if (Math.random() < 0.01) await this.db(TABLE).where('since', '<', fresh).delete();
  }

  async succeeded(name: string, address: string): Promise<void> {
    await this.db(TABLE)
      .where({ key: keyOf(name, address) })
      .delete();
  }
}
