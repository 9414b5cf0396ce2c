/**
 * The login throttle's records in the database, for instances that share
 * one (PostgreSQL): an attempt first takes the shared word for its records,
 * and a finished check writes them back, so five wrong passwords spread
 * over two instances lock the account as five on one would. On an
 * exclusive database (SQLite, one process) the throttle stays in memory.
 *
 * The outcome of a check is applied in one transaction that holds the
 * attempt's rows locked (created first when missing, so there is always a
 * row to lock): two failures at the very same moment on two instances are
 * counted one after the other, as two.
 */
import type { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { throttleKeys, type LoginThrottle, type ThrottleKey, type ThrottleState } from './login-throttle.js';

const TABLE = 'webdav_login_throttle';

interface Row {
  key: string;
  failures: number | string;
  window_start: number | string;
  locked_until: number | string;
  lockouts: number | string;
}

export class SharedThrottle {
  constructor(
    private readonly db: Knex,
    private readonly throttle: LoginThrottle,
  ) {}

  /** Brings this instance's records for the attempt up to what the database holds. */
  async pull(user: string, address: string): Promise<void> {
    const keys = throttleKeys(user, address);
    const rows = (await this.db(TABLE).whereIn('key', keys.map(rowKey)).select()) as Row[];
    const byKey = new Map(rows.map((row) => [row.key, stateOf(row)]));
    for (const key of keys) this.throttle.adopt(key, byKey.get(rowKey(key)));
  }

  /**
   * Applies the outcome of a check (`apply`: the throttle's failed() or
   * succeeded()) to the database's latest records, with those rows locked,
   * and writes them back.
   */
  async settle(user: string, address: string, apply: () => void): Promise<void> {
    const keys = throttleKeys(user, address);
    const empty = { failures: 0, window_start: 0, locked_until: 0, lockouts: 0 };
    await this.db.transaction(async (trx) => {
      await trx(TABLE)
        .insert(keys.map((key) => ({ key: rowKey(key), ...empty })))
        .onConflict('key')
        .ignore();
      const rows = (await trx(TABLE).whereIn('key', keys.map(rowKey)).forUpdate().select()) as Row[];
      const byKey = new Map(rows.map((row) => [row.key, stateOf(row)]));
      for (const key of keys) this.throttle.adopt(key, byKey.get(rowKey(key)));
      apply();
      const gone: string[] = [];
      const kept: Row[] = [];
      for (const key of keys) {
        const state = this.throttle.state(key);
        if (!state) gone.push(rowKey(key));
        else
          kept.push({
            key: rowKey(key),
            failures: state.failures,
            window_start: state.windowStart,
            locked_until: state.lockedUntil,
            lockouts: state.lockouts,
          });
      }
      if (gone.length > 0) await trx(TABLE).whereIn('key', gone).delete();
      if (kept.length > 0) await trx(TABLE).insert(kept).onConflict('key').merge();
    });
  }

  /** Drops records whose window and lockout are long over; the table stays small. */
  async purge(olderThanMs: number, now = Date.now()): Promise<void> {
    await this.db(TABLE)
      .where('window_start', '<', now - olderThanMs)
      .andWhere('locked_until', '<', now - olderThanMs)
      .delete();
  }
}

/**
 * The row of a record: its kind and a hash of its key. A name in Basic
 * credentials is the client's to choose: any length, any bytes (PostgreSQL
 * text refuses NUL); the hash fits the column whatever was sent.
 */
function rowKey({ kind, key }: ThrottleKey): string {
  return `${kind}:${createHash('sha256').update(key).digest('base64url')}`;
}

function stateOf(row: Row): ThrottleState {
  return {
    failures: Number(row.failures),
    windowStart: Number(row.window_start),
    lockedUntil: Number(row.locked_until),
    lockouts: Number(row.lockouts),
  };
}
