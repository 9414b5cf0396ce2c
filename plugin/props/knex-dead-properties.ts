/**
 * Dead properties in the `webdav_properties` table, shared by every host
 * instance on the same database.
 *
 * Subtrees are selected with substr() on the path rather than LIKE: LIKE is
 * case-insensitive on SQLite and would need escaping of `%` and `_`, which
 * are legal in file names. substr() counts characters on both databases, so
 * lengths are counted in code points here too.
 *
 * Photo folders rarely carry dead properties, so on a database `exclusive`
 * to this process each mount keeps an index of the resources that may have
 * some (property-index.ts, loaded with one query, mount-snapshots.ts):
 * reading the properties of a resource or a folder's members that the index
 * does not name costs no query, and neither does removing, copying or moving
 * such a tree: nobody else writes there. On a shared database (several
 * instances behind a round-robin proxy, docs/deploy.md) every read asks the
 * database: a client's PROPPATCH through one instance and its PROPFIND
 * through another follow each other within milliseconds, and an index of
 * any age would answer the PROPFIND wrongly. A new upload clears whatever a
 * vanished file of its name left behind (dav/followers.ts), and that is the
 * common case.
 */
import type { Knex } from 'knex';
import type { SharePath } from '../config/shares.js';
import type { DeadProperty, DeadPropertyStore, PropertyChange } from './dead-properties.js';
import { MountSnapshots } from '../cache/mount-snapshots.js';
import { PropertyIndex } from './property-index.js';

const TABLE = 'webdav_properties';

interface Row {
  mount: string;
  path: string;
  parent: string | null;
  ns: string;
  local: string;
  xml: string;
}

const pathOf = (path: readonly string[]): string => path.join('/');
const parentOf = (path: readonly string[]): string | null => (path.length === 0 ? null : path.slice(0, -1).join('/'));
const codePoints = (text: string): number => [...text].length;
const toProperty = (row: Pick<Row, 'ns' | 'local' | 'xml'>): DeadProperty => ({
  ns: row.ns,
  local: row.local,
  xml: row.xml,
});

export interface KnexDeadPropertiesOptions {
  /**
   * No other process writes this database (the embedded SQLite): a tree the
   * index does not name has no properties to remove, copy or move.
   */
  readonly exclusive?: boolean;
  /** On an exclusive database, how long a mount's index is believed before it is loaded again; 0 loads it for every request. */
  readonly cacheTtlMs?: number;
  /** A mount with more resources with properties than this has no index: every request queries. */
  readonly maxIndexedPaths?: number;
  /** The clock, in ms since the epoch (tests move it). */
  readonly now?: () => number;
}

/** Loading the index once a second costs next to nothing (exclusive databases only). */
const DEFAULT_CACHE_TTL_MS = 1000;
/** About a megabyte of path strings per mount. Windows sets properties on every file it uploads; past this, query. */
const DEFAULT_MAX_INDEXED_PATHS = 10_000;
/** A mount found too big is counted again after this long. */
const OVERFLOW_TTL_MS = 60_000;

export class KnexDeadProperties implements DeadPropertyStore {
  private readonly exclusive: boolean;
  private readonly maxIndexedPaths: number;
  /** Per mount, the resources that may have properties; null for a mount with more than maxIndexedPaths. */
  private readonly index: MountSnapshots<PropertyIndex>;

  constructor(
    private readonly db: Knex,
    options: KnexDeadPropertiesOptions = {},
  ) {
    this.exclusive = options.exclusive ?? false;
    this.maxIndexedPaths = options.maxIndexedPaths ?? DEFAULT_MAX_INDEXED_PATHS;
    this.index = new MountSnapshots((mount) => this.loadIndex(mount), {
      ttlMs: options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
      overflowTtlMs: OVERFLOW_TTL_MS,
      now: options.now ?? Date.now,
    });
  }

  async get(resource: SharePath): Promise<DeadProperty[]> {
    if (this.exclusive && (await this.index.get(resource.mount))?.mayHave(resource.path) === false) return [];
    const rows = await this.db<Row>(TABLE)
      .select('ns', 'local', 'xml')
      .where({ mount: resource.mount, path: pathOf(resource.path) })
      .orderBy(['ns', 'local']);
    return rows.map(toProperty);
  }

  async childrenOf(folder: SharePath): Promise<Map<string, DeadProperty[]>> {
    if (this.exclusive && (await this.index.get(folder.mount))?.mayHaveMembersWith(folder.path) === false)
      return new Map();
    const parent = pathOf(folder.path);
    const rows = await this.db<Row>(TABLE)
      .select('path', 'ns', 'local', 'xml')
      .where({ mount: folder.mount, parent })
      .orderBy(['path', 'ns', 'local']);
    const byChild = new Map<string, DeadProperty[]>();
    const prefixLength = parent === '' ? 0 : parent.length + 1;
    for (const row of rows) {
      const name = row.path.slice(prefixLength);
      const list = byChild.get(name) ?? [];
      list.push(toProperty(row));
      byChild.set(name, list);
    }
    return byChild;
  }

  async patch(resource: SharePath, changes: readonly PropertyChange[]): Promise<void> {
    const key = { mount: resource.mount, path: pathOf(resource.path) };
    try {
      await this.db.transaction(async (trx) => {
        for (const change of changes) {
          const name = 'set' in change ? change.set : change.remove;
          await trx<Row>(TABLE)
            .where({ ...key, ns: name.ns, local: name.local })
            .delete();
          if ('set' in change) {
            await trx<Row>(TABLE).insert({
              ...key,
              parent: parentOf(resource.path),
              ns: name.ns,
              local: name.local,
              xml: change.set.xml,
            });
          }
        }
      });
    } finally {
      // A set names the resource in the index at once; a remove leaves the index a superset. Failed or not.
      if (changes.some((change) => 'set' in change))
        this.index.update(resource.mount, (index) => this.grown(index, resource));
    }
  }

  async copyTree(from: SharePath, to: SharePath): Promise<void> {
    if (await this.nothingWithin(from, to)) return;
    try {
      await this.db.transaction(async (trx) => {
        await this.deleteTree(trx, to);
        const rows = await this.selectTree(trx, from);
        for (const row of rows) await trx<Row>(TABLE).insert(this.relocate(row, from, to));
      });
    } finally {
      this.index.invalidate(to.mount);
    }
  }

  async moveTree(from: SharePath, to: SharePath): Promise<void> {
    if (await this.nothingWithin(from, to)) return;
    try {
      await this.db.transaction(async (trx) => {
        await this.deleteTree(trx, to);
        const rows = await this.selectTree(trx, from);
        await this.deleteTree(trx, from);
        for (const row of rows) await trx<Row>(TABLE).insert(this.relocate(row, from, to));
      });
    } finally {
      this.index.invalidate(to.mount);
    }
  }

  /** One statement, or none on our own database when the index names nothing there (the index stays a superset). */
  async removeTree(resource: SharePath): Promise<void> {
    if (await this.nothingWithin(resource)) return;
    await this.deleteTree(this.db, resource);
  }

  // ----------------------------------------------------------------- index

  /** Whether, on our own database, the index says no resource at or below any of these has properties. */
  private async nothingWithin(...trees: SharePath[]): Promise<boolean> {
    if (!this.exclusive) return false;
    for (const tree of trees) {
      if ((await this.index.get(tree.mount))?.mayHaveWithin(tree.path) !== false) return false;
    }
    return true;
  }

  /** The resources of a mount that have properties, with one query; null when there are more than maxIndexedPaths. */
  private async loadIndex(mount: string): Promise<PropertyIndex | null> {
    const rows = await this.db<Row>(TABLE)
      .distinct('path')
      .where({ mount })
      .limit(this.maxIndexedPaths + 1);
    return rows.length > this.maxIndexedPaths ? null : new PropertyIndex(rows.map((row) => row.path));
  }

  /** The index after this process set properties on `resource`; null when it grew past its bound. */
  private grown(index: PropertyIndex, resource: SharePath): PropertyIndex | null {
    index.add(resource.path);
    return index.size > this.maxIndexedPaths ? null : index;
  }

  // --------------------------------------------------------------- queries

  private subtree(query: Knex.QueryBuilder, resource: SharePath): Knex.QueryBuilder {
    const path = pathOf(resource.path);
    query.where('mount', resource.mount);
    if (path === '') return query;
    const prefix = `${path}/`;
    return query.where((where) =>
      where.where('path', path).orWhereRaw('substr(path, 1, ?) = ?', [codePoints(prefix), prefix]),
    );
  }

  private selectTree(db: Knex | Knex.Transaction, resource: SharePath): Promise<Row[]> {
    return this.subtree(db<Row>(TABLE).select('*'), resource);
  }

  private async deleteTree(db: Knex | Knex.Transaction, resource: SharePath): Promise<void> {
    await this.subtree(db<Row>(TABLE), resource).delete();
  }

  private relocate(row: Row, from: SharePath, to: SharePath): Row {
    const fromPath = pathOf(from.path);
    const rest = row.path.slice(fromPath.length).replace(/^\//, '');
    const segments = [...to.path, ...(rest === '' ? [] : rest.split('/'))];
    return { ...row, mount: to.mount, path: pathOf(segments), parent: parentOf(segments) };
  }
}
