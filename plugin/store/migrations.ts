/**
 * The plugin's own tables (prefix `webdav_`), created with knex's schema
 * builder only, so the same migrations run on SQLite and PostgreSQL. The
 * plugin keeps its own migration table: the host's migrations never mix in.
 */
import type { Knex } from 'knex';

interface Migration {
  readonly name: string;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

const MIGRATIONS: readonly Migration[] = [
  {
    name: '001-dead-properties',
    async up(db) {
      await db.schema.createTable('webdav_properties', (table) => {
        table.string('mount', 64).notNullable();
        // The resource's path below the share root ('' for the root), names joined by '/'.
        table.text('path').notNullable();
        // The parent's path: one indexed query answers a whole folder listing.
        table.text('parent').nullable();
        table.text('ns').notNullable();
        table.text('local').notNullable();
        table.text('xml').notNullable();
        table.primary(['mount', 'path', 'ns', 'local']);
        table.index(['mount', 'parent'], 'webdav_properties_parent');
      });
    },
    async down(db) {
      await db.schema.dropTable('webdav_properties');
    },
  },
  {
    name: '002-locks',
    async up(db) {
      // Write locks (RFC 4918 §6), kept here so that they survive a restart
      // and every instance on this database honours them.
      await db.schema.createTable('webdav_locks', (table) => {
        // urn:uuid:… (the UUID after a 9-character prefix).
        table.string('token', 100).primary();
        table.string('mount', 64).notNullable();
        // The lock root's path below the share root ('' for the root), names joined by '/'.
        table.text('path').notNullable();
        // The root's parent path: a folder listing's member locks come from one indexed query.
        table.text('parent').nullable();
        // Whether the root was a collection (its href then ends with '/').
        table.boolean('collection').notNullable();
        table.string('depth', 8).notNullable(); // '0' | 'infinity'
        table.string('scope', 9).notNullable(); // 'exclusive' | 'shared'
        // The DAV:owner element as the client sent it (self-contained XML), or null.
        table.text('owner').nullable();
        // The authenticated user who created the lock: only they may use its token.
        table.string('user_name', 256).notNullable();
        table.integer('timeout_seconds').notNullable();
        // Milliseconds since the epoch: compares the same on every database.
        table.bigInteger('expires_at').notNullable();
        table.bigInteger('created_at').notNullable();
        table.index(['mount', 'path'], 'webdav_locks_path');
        table.index(['mount', 'parent'], 'webdav_locks_parent');
        table.index(['expires_at'], 'webdav_locks_expires');
      });
      // One row per share, taken FOR UPDATE while a lock is granted, so that
      // two instances cannot both grant conflicting locks (knex-lock-manager.ts).
      await db.schema.createTable('webdav_lock_guards', (table) => {
        table.string('mount', 64).primary();
      });
    },
    async down(db) {
      await db.schema.dropTable('webdav_lock_guards');
      await db.schema.dropTable('webdav_locks');
    },
  },
  {
    name: '003-audit',
    async up(db) {
      await db.schema.createTable('webdav_audit', (table) => {
        table.increments('id');
        // Milliseconds since the epoch: compares the same on every database.
        table.bigInteger('at_ms').notNullable();
        table.string('user_name', 256).nullable();
        table.string('address', 64).notNullable();
        table.string('method', 32).notNullable();
        table.text('path').notNullable();
        table.text('destination').nullable();
        table.integer('status').notNullable();
        table.bigInteger('bytes_in').notNullable();
        table.bigInteger('bytes_out').notNullable();
        table.integer('duration_ms').notNullable();
        table.index(['at_ms'], 'webdav_audit_at');
      });
    },
    async down(db) {
      await db.schema.dropTable('webdav_audit');
    },
  },
  {
    name: '004-audit-mount',
    async up(db) {
      // The share each audited request named, so that traffic per share is one indexed query
      // (plugin/access/audit-traffic.ts); the indexes serve the per-day totals filtered by share or user.
      await db.schema.alterTable('webdav_audit', (table) => {
        table.string('mount', 64).nullable();
        table.index(['mount', 'at_ms'], 'webdav_audit_mount_at');
        table.index(['user_name', 'at_ms'], 'webdav_audit_user_at');
      });
      await backfillAuditMounts(db);
    },
    async down(db) {
      await db.schema.alterTable('webdav_audit', (table) => {
        table.dropIndex(['user_name', 'at_ms'], 'webdav_audit_user_at');
        table.dropIndex(['mount', 'at_ms'], 'webdav_audit_mount_at');
        table.dropColumn('mount');
      });
    },
  },
  {
    name: '005-login-throttle',
    async up(db) {
      // The login throttle's records where instances share the database (plugin/access/shared-throttle.ts):
      // five wrong passwords spread over two instances must count as five.
      await db.schema.createTable('webdav_login_throttle', (table) => {
        table.string('key', 64).primary();
        table.integer('failures').notNullable();
        table.bigInteger('window_start').notNullable();
        table.bigInteger('locked_until').notNullable();
        table.integer('lockouts').notNullable();
      });
    },
    async down(db) {
      await db.schema.dropTableIfExists('webdav_login_throttle');
    },
  },
  {
    name: '006-media-index',
    async up(db) {
      // The capture-date index of the shares with a date view or an inbox (plugin/media/media-index.ts).
      await db.schema.createTable('webdav_media', (table) => {
        // The real share's mount, never a date view's.
        table.string('mount', 64).notNullable();
        // The file's path below the share root, names joined by '/'.
        table.text('path').notNullable();
        table.bigInteger('size').notNullable();
        // Milliseconds since the epoch: compares the same on every database.
        table.bigInteger('mtime_ms').notNullable();
        table.bigInteger('capture_ms').notNullable();
        // 'YYYY-MM' of the wall-clock capture time: the view's month folder.
        table.string('month', 7).notNullable();
        // Where the capture time came from: 'exif' | 'video' | 'mtime' (a file with no date of its own).
        table.string('source', 8).notNullable();
        table.string('kind', 8).notNullable(); // 'photo' | 'video'
        table.primary(['mount', 'path']);
        table.index(['mount', 'source', 'month'], 'webdav_media_month');
      });
    },
    async down(db) {
      await db.schema.dropTableIfExists('webdav_media');
    },
  },
];

/** `/webdav/<mount>/…` as the audit log stored it (percent-decoded; an absolute-form target keeps its origin). */
const AUDIT_PATH_MOUNT = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*)?\/webdav\/([^/]{1,64})(?:\/|$)/;

/**
 * Fills the mount of the rows written before the column existed, in keyed
 * batches (never the whole table at once); only rows whose mount is still
 * unknown are touched.
 */
export async function backfillAuditMounts(db: Knex, batch = 1000): Promise<void> {
  for (let after = 0; ;) {
    const rows = (await db('webdav_audit')
      .select('id', 'path')
      .whereNull('mount')
      .andWhere('id', '>', after)
      .orderBy('id')
      .limit(batch)) as { id: number; path: string }[];
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    const idsByMount = new Map<string, number[]>();
    for (const row of rows) {
      const mount = AUDIT_PATH_MOUNT.exec(row.path)?.[1];
      if (mount === undefined) continue;
      const ids = idsByMount.get(mount);
      if (ids) ids.push(row.id);
      else idsByMount.set(mount, [row.id]);
    }
    for (const [mount, ids] of idsByMount) await db('webdav_audit').whereIn('id', ids).update({ mount });
  }
}

const source: Knex.MigrationSource<Migration> = {
  getMigrations: async () => [...MIGRATIONS],
  getMigrationName: (migration) => migration.name,
  getMigration: async (migration) => ({ up: migration.up, down: migration.down }),
};

/**
 * Brings the plugin's tables up to date. Instances starting together on one
 * PostgreSQL database take turns: knex's migration lock lets one migrate,
 * the others wait and then find nothing pending.
 */
export async function migrate(db: Knex): Promise<void> {
  const config = { migrationSource: source, tableName: 'webdav_knex_migrations' };
  for (let attempt = 0; ; attempt++) {
    try {
      await db.migrate.latest(config);
      return;
    } catch (err) {
      if (!migratingElsewhere(err) || attempt >= 40) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * Another process is migrating the same database: knex's lock is taken, or
 * both created knex's own bookkeeping tables at once (PostgreSQL: 42P07
 * "already exists", 23505 on the catalog's unique index).
 */
function migratingElsewhere(err: unknown): boolean {
  const e = err as Error & { code?: unknown };
  return e.name === 'MigrationLocked' || e.code === '42P07' || e.code === '23505';
}
