/** Watching what a knex database is asked: for tests that count round trips. */
import type { Knex } from 'knex';

/** The SQL statements a database runs while `during` runs. */
export async function statements(db: Knex, during: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const onQuery = (query: { sql: string }): void => void seen.push(query.sql);
  db.on('query', onQuery);
  try {
    await during();
  } finally {
    db.removeListener('query', onQuery);
  }
  return seen;
}
