import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { pino } from 'pino';
import type { Host } from '../../plugin/host-api.js';
import { openMigratedDatabase } from '../../host/db.js';
import { PluginManager } from '../../host/plugin-loader.js';

let root: string;
let db: Knex;
const log = pino({ level: 'silent' });
const fakeHost = (_p: unknown, a: { router: unknown; filtersApi: unknown; uiApi: unknown }): Host =>
  ({ router: a.router, filters: a.filtersApi, ui: a.uiApi }) as unknown as Host;

async function plugin(id: string, code: string | null, manifest: Record<string, unknown> = {}): Promise<string> {
  const folder = path.join(root, id);
  await mkdir(folder, { recursive: true });
  await writeFile(
    path.join(folder, 'manifest.json'),
    JSON.stringify({ id, name: id, version: '1.0.0', entry: 'index.js', hostApi: '^1.0.0', ...manifest }),
  );
  if (code !== null) await writeFile(path.join(folder, 'index.js'), code);
  return folder;
}

const counting = `
export const calls = { activate: 0, deactivate: 0 };
export async function activate(host) { calls.activate++; globalThis.__calls = calls; host.router.get('/x', (ctx) => { ctx.body = 'x'; }); }
export async function deactivate() { calls.deactivate++; }
`;

describe('PluginManager', () => {
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'host-plugins-'));
    db = await openMigratedDatabase(root);
  });
  after(async () => {
    await db.destroy();
    await rm(root, { recursive: true, force: true });
  });

  it('activates an enabled plugin, records it enabled, and switches it off and on', async () => {
    const folder = await plugin('good', counting);
    const manager = new PluginManager({ db, log, hostFor: fakeHost });
    await manager.load([folder]);
    const p = manager.get('good')!;
    assert.equal(p.state, 'active');
    assert.ok(p.activation);
    const calls = (globalThis as unknown as { __calls: { activate: number; deactivate: number } }).__calls;
    assert.deepEqual(calls, { activate: 1, deactivate: 0 });
    assert.deepEqual(await db('plugins').where({ id: 'good' }).first('enabled'), { enabled: 1 });

    const first = p.activation;
    await manager.setEnabled('good', false);
    assert.equal(p.state, 'inactive');
    assert.equal(p.activation, undefined);
    assert.deepEqual(calls, { activate: 1, deactivate: 1 });
    assert.deepEqual(await db('plugins').where({ id: 'good' }).first('enabled'), { enabled: 0 });

    await manager.setEnabled('good', true);
    assert.equal(p.state, 'active');
    assert.notEqual(p.activation, first, 'each activation gets a fresh router');
    await manager.close();
    assert.deepEqual(calls, { activate: 2, deactivate: 2 });
  });

  it('follows a switch changed in the database by another process', async () => {
    const folder = await plugin('polled', counting.replaceAll('__calls', '__polled'));
    const manager = new PluginManager({ db, log, hostFor: fakeHost, pollIntervalMs: 50 });
    await manager.load([folder]);
    await db('plugins').where({ id: 'polled' }).update({ enabled: false });
    const deadline = Date.now() + 3000;
    while (manager.get('polled')!.state !== 'inactive' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(manager.get('polled')!.state, 'inactive');
    await manager.close();
    // Known plugins keep their switch: a new manager starts it disabled.
    const again = new PluginManager({ db, log, hostFor: fakeHost });
    await again.load([folder]);
    assert.equal(again.get('polled')!.state, 'inactive');
    await again.close();
  });

  it('leaves a plugin inactive when activate throws, after letting it clean up', async () => {
    const folder = await plugin(
      'thrower',
      `export async function activate() { throw new Error('nope'); }
       export async function deactivate() { globalThis.__throwerCleaned = true; }`,
    );
    const manager = new PluginManager({ db, log, hostFor: fakeHost });
    await manager.load([folder]);
    const p = manager.get('thrower')!;
    assert.equal(p.state, 'failed');
    assert.equal(p.error, 'nope');
    assert.equal(p.activation, undefined);
    assert.equal((globalThis as Record<string, unknown>)['__throwerCleaned'], true);
    await manager.close();
  });

  it('refuses an entry that leads outside the plugin folder through a symlink', async () => {
    const outside = path.join(root, 'outside.js');
    await writeFile(outside, 'export async function activate() {} export async function deactivate() {}');
    const folder = await plugin('escaper', null);
    await symlink(outside, path.join(folder, 'index.js'));
    const manager = new PluginManager({ db, log, hostFor: fakeHost });
    await manager.load([folder]);
    assert.equal(manager.get('escaper')!.state, 'failed');
    assert.match(manager.get('escaper')!.error!, /leads outside the plugin folder/);
    await manager.close();
  });

  it('reports a missing entry, missing exports, a bad manifest and a duplicate id', async () => {
    const missing = await plugin('missing', null);
    const noExports = await plugin('noexports', 'export const x = 1;');
    const badApi = await plugin('badapi', counting, { hostApi: '^2.0.0' });
    const dupe = path.join(root, 'dupe');
    await mkdir(dupe);
    await writeFile(
      path.join(dupe, 'manifest.json'),
      JSON.stringify({ id: 'missing', name: 'd', version: '1.0.0', entry: 'index.js', hostApi: '^1.0.0' }),
    );
    const manager = new PluginManager({ db, log, hostFor: fakeHost });
    await manager.load([missing, noExports, badApi, dupe]);
    const [m, n, b, d] = manager.list();
    assert.equal(m!.state, 'failed');
    assert.match(m!.error!, /does not exist .*is the plugin built/);
    assert.equal(n!.state, 'failed');
    assert.match(n!.error!, /does not export activate\(\) and deactivate\(\)/);
    assert.equal(b!.state, 'invalid');
    assert.match(b!.error!, /"hostApi" is "\^2\.0\.0"/);
    assert.equal(d!.state, 'invalid');
    assert.match(d!.error!, /already has the id "missing"/);
    await manager.close();
  });
});
