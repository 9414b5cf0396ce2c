/**
 * The host's database: SQLite in the data folder, or PostgreSQL when a URL
 * is given (host/database-url.ts chooses), through knex.
 *
 * On SQLite the server and the CLI open the same file at the same time, so WAL (readers
 * never block the writer) and a busy timeout (a writer waits for the other
 * instead of failing with SQLITE_BUSY) are not optional.
 * Migrations use knex's schema builder only, so the same code can run on
 * PostgreSQL, and keep their own table: the plugin runs its migrations on the
 * same database with its own table, and the two histories must never mix.
 */
import knexFactory, { type Knex } from 'knex';
import { createRequire } from 'node:module';
import path from 'node:path';
import type pg from 'pg';

export const DB_FILE = 'mediahost.sqlite3';
const MIGRATIONS_TABLE = 'host_knex_migrations';

interface SqliteConnection {
  exec(sql: string, callback: (err: Error | null) => void): void;
}

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const migrations: Record<string, Migration> = {
  '001_users_groups_plugins_sessions': {
    async up(knex) {
      await knex.schema.createTable('users', (t) => {
        t.increments('id');
        t.string('name', 200).notNullable().unique();
        t.string('password_hash', 100).notNullable();
        t.boolean('admin').notNullable().defaultTo(false);
        t.timestamp('created_at').notNullable().defaultTo(knex.fn.now());
      });
      await knex.schema.createTable('groups', (t) => {
        t.increments('id');
        t.string('name', 200).notNullable().unique();
        t.string('description', 500).notNullable().defaultTo('');
      });
      await knex.schema.createTable('group_members', (t) => {
        t.integer('group_id').unsigned().notNullable().references('id').inTable('groups').onDelete('CASCADE');
        t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.primary(['group_id', 'user_id']);
        t.index(['user_id']);
      });
      await knex.schema.createTable('plugins', (t) => {
        t.string('id', 64).primary();
        t.boolean('enabled').notNullable();
      });
      await knex.schema.createTable('sessions', (t) => {
        t.string('token_hash', 64).primary();
        t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('csrf_token', 64).notNullable();
        t.bigInteger('expires_at').notNullable();
        t.index(['expires_at']);
      });
      // Facts about the data folder itself, e.g. that the first-run setup happened.
      await knex.schema.createTable('host_meta', (t) => {
        t.string('key', 100).primary();
        t.text('value').notNullable();
      });
    },
    async down(knex) {
      for (const table of ['host_meta', 'sessions', 'plugins', 'group_members', 'groups', 'users']) {
        await knex.schema.dropTableIfExists(table);
      }
    },
  },
  // Who changed which user, when, and how (host/admin-audit.ts). Names, not row ids: an entry outlives its user.
  '002_host_audit': {
    async up(knex) {
      await knex.schema.createTable('host_audit', (t) => {
        t.increments('id');
        t.bigInteger('at').notNullable();
        t.string('actor', 200).notNullable();
        t.string('via', 10).notNullable();
        t.string('action', 40).notNullable();
        t.string('target', 200).notNullable();
        t.text('details').notNullable().defaultTo('{}');
        t.index(['target']);
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('host_audit');
    },
  },
  // Failed web logins per (name, address) where instances share the database (host/shared-login-throttle.ts).
  '003_login_failures': {
    async up(knex) {
      await knex.schema.createTable('host_login_failures', (t) => {
        t.string('key', 64).primary();
        t.integer('count').notNullable();
        t.bigInteger('since').notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTableIfExists('host_login_failures');
    },
  },
};

/** Whether other processes may share this database (PostgreSQL), so that nothing that must agree may live in memory. */
export const isSharedDatabase = (db: Knex): boolean => db.client.config.client === 'pg';

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};

/**
 * PostgreSQL hands back 64-bit integers (bigInteger columns, count(*)) and
 * numerics (sum()) as strings; every such value here (milliseconds, byte
 * counts) fits a JS number, and the code expects numbers as SQLite gives them.
 */
const pgTypes = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    if (oid === 20 || oid === 1700) return (value: string) => (value === null ? null : Number(value));
    return postgresDriver().types.getTypeParser(oid, format as 'text') as (value: string) => unknown;
  },
};

/**
 * The pg driver, loaded the first time a PostgreSQL database is opened: on
 * SQLite (the default) it would be about 3 MB of heap that nothing uses.
 */
let pgDriver: typeof pg | undefined;
function postgresDriver(): typeof pg {
  pgDriver ??= createRequire(import.meta.url)('pg') as typeof pg;
  return pgDriver;
}

function openPostgres(url: string): Knex {
  return knexFactory({
    client: 'pg',
    // The pg client takes its own timeouts: an unreachable server fails a connection in seconds, not minutes.
    connection: { connectionString: url, types: pgTypes, connectionTimeoutMillis: 5000 },
    // Requests during an outage fail fast (503) instead of queueing for the default 60 s.
    acquireConnectionTimeout: 6000,
    pool: { min: 0, max: 10 },
    // knex prints every failed connection attempt with its stack; the host reports an outage itself (one line).
    log: {
      warn(message: string) {
        if (!String(message).startsWith('Acquire connection error'))
          process.emitWarning(String(message), 'KnexWarning');
      },
    },
  });
}

/** The database of a data folder: PostgreSQL at `url` when given, else SQLite in the folder. */
export function openDatabase(dataDir: string, url?: string): Knex {
  if (url) return openPostgres(url);
  return knexFactory({
    client: 'sqlite3',
    connection: { filename: path.join(dataDir, DB_FILE) },
    useNullAsDefault: true,
    pool: {
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: SqliteConnection) => void) {
        conn.exec('PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;', (err) =>
          done(err, conn),
        );
      },
    },
  });
}

/** Brings the host's tables up to date; cheap when nothing is pending (the CLI calls it on every run). */
export async function migrate(db: Knex): Promise<void> {
  const config = { tableName: MIGRATIONS_TABLE, migrationSource };
  for (let attempt = 0; ; attempt++) {
    try {
      const [, pending] = (await db.migrate.list(config)) as [unknown, unknown[]];
      if (pending.length === 0) return;
      await db.migrate.latest(config);
      return;
    } catch (err) {
      // Another process (server, CLI, another instance) is migrating the same new database right now;
      // on PostgreSQL two may also race to create knex's bookkeeping tables (42P07, 23505).
      const { name, code } = err as Error & { code?: unknown };
      if (!(name === 'MigrationLocked' || code === '42P07' || code === '23505') || attempt >= 40) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
}

export async function openMigratedDatabase(dataDir: string, url?: string): Promise<Knex> {
  const db = openDatabase(dataDir, url);
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

/** Reads a boolean column: SQLite hands back 0/1, PostgreSQL true/false. */
export const toBool = (value: unknown): boolean => value === true || value === 1 || value === '1' || value === 't';

export async function getMeta(db: Knex, key: string): Promise<string | undefined> {
  const row = (await db('host_meta').where({ key }).first('value')) as { value: string } | undefined;
  return row?.value;
}

export async function setMeta(db: Knex, key: string, value: string): Promise<void> {
  await db('host_meta').insert({ key, value }).onConflict('key').merge();
}
