/**
 * Dead properties in the `webdav_properties` table, shared by every host
 * instance on the same database.
 *
 * Subtrees are selected with substr() on the path rather than LIKE: LIKE is
 * case-insensitive on SQLite and would need escaping of `%` and `_`, which
 * are legal in file names. substr() counts characters on both databases, so
 * lengths are counted in code points here too.
 */
import type { Knex } from 'knex';
import type { SharePath } from '../config/shares.js';
import type { DeadProperty, DeadPropertyStore, PropertyChange } from './dead-properties.js';

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

export class KnexDeadProperties implements DeadPropertyStore {
  constructor(private readonly db: Knex) {}

  async get(resource: SharePath): Promise<DeadProperty[]> {
    const rows = await this.db<Row>(TABLE)
      .select('ns', 'local', 'xml')
      .where({ mount: resource.mount, path: pathOf(resource.path) })
      .orderBy(['ns', 'local']);
    return rows.map(toProperty);
  }

  async childrenOf(folder: SharePath): Promise<Map<string, DeadProperty[]>> {
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
  }

  async copyTree(from: SharePath, to: SharePath): Promise<void> {
    await this.db.transaction(async (trx) => {
      await this.deleteTree(trx, to);
      const rows = await this.selectTree(trx, from);
      for (const row of rows) await trx<Row>(TABLE).insert(this.relocate(row, from, to));
    });
  }

  async moveTree(from: SharePath, to: SharePath): Promise<void> {
    await this.db.transaction(async (trx) => {
      await this.deleteTree(trx, to);
      const rows = await this.selectTree(trx, from);
      await this.deleteTree(trx, from);
      for (const row of rows) await trx<Row>(TABLE).insert(this.relocate(row, from, to));
    });
  }

  async removeTree(resource: SharePath): Promise<void> {
    await this.deleteTree(this.db, resource);
  }

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
