/**
 * The per-mount snapshots that keep locks and dead properties out of the
 * database's way (plugin/cache/mount-snapshots.ts). What is kept expires by the clock, counted from the moment
 * the query was sent; a burst shares one load; a write beats a load under
 * way; a mount too big to keep stays marked so across writes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MountSnapshots } from '../../plugin/cache/mount-snapshots.js';

/** A load the test finishes when it likes, and how many were started. */
class Loader {
  started: string[] = [];
  private readonly waiting: { mount: string; resolve: (value: string | null) => void; reject: (e: Error) => void }[] =
    [];
  readonly load = (mount: string): Promise<string | null> => {
    this.started.push(mount);
    return new Promise((resolve, reject) => this.waiting.push({ mount, resolve, reject }));
  };
  /** Finishes the oldest load still running with `value`. */
  finish(value: string | null): void {
    this.waiting.shift()!.resolve(value);
  }
  fail(): void {
    this.waiting.shift()!.reject(new Error('database down'));
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('MountSnapshots', () => {
  const setUp = (ttlMs = 1000, overflowTtlMs = 30_000) => {
    const clock = { now: 1_000_000 };
    const loader = new Loader();
    const snapshots = new MountSnapshots<string>(loader.load, { ttlMs, overflowTtlMs, now: () => clock.now });
    return { clock, loader, snapshots };
  };

  it('keeps a snapshot for ttlMs from the moment its query was sent, then loads again', async () => {
    const { clock, loader, snapshots } = setUp();
    const first = snapshots.get('main');
    clock.now += 300; // the query takes a while
    loader.finish('v1');
    assert.equal(await first, 'v1');
    clock.now += 699;
    assert.equal(await snapshots.get('main'), 'v1');
    assert.deepEqual(loader.started, ['main']);
    clock.now += 1;
    const second = snapshots.get('main');
    assert.deepEqual(loader.started, ['main', 'main'], 'expired 1000 ms after the query was sent');
    loader.finish('v2');
    assert.equal(await second, 'v2');
  });

  it('keeps mounts apart', async () => {
    const { loader, snapshots } = setUp();
    const main = snapshots.get('main');
    const other = snapshots.get('other');
    loader.finish('m');
    loader.finish('o');
    assert.deepEqual([await main, await other], ['m', 'o']);
    snapshots.invalidate('main');
    assert.equal(await snapshots.get('other'), 'o');
    assert.deepEqual(loader.started, ['main', 'other']);
  });

  it('lets a burst of requests share one load', async () => {
    const { loader, snapshots } = setUp();
    const answers = Array.from({ length: 50 }, () => snapshots.get('main'));
    loader.finish('v1');
    assert.deepEqual(new Set(await Promise.all(answers)), new Set(['v1']));
    assert.equal(loader.started.length, 1);
  });

  it('does not keep a load that a write overtook, but answers its waiters with it', async () => {
    const { loader, snapshots } = setUp();
    const before = snapshots.get('main');
    snapshots.invalidate('main'); // a write committed while the query ran
    const after = snapshots.get('main');
    assert.equal(loader.started.length, 2, 'requests after the write do not wait for the older load');
    loader.finish('old');
    loader.finish('new');
    assert.equal(await before, 'old');
    assert.equal(await after, 'new');
    assert.equal(await snapshots.get('main'), 'new');
    assert.equal(loader.started.length, 2);
  });

  it('forgets a snapshot on invalidate(), every mount on invalidateAll()', async () => {
    const { loader, snapshots } = setUp();
    for (const mount of ['a', 'b']) {
      const got = snapshots.get(mount);
      loader.finish(`${mount}1`);
      await got;
    }
    snapshots.invalidate('a');
    const a = snapshots.get('a');
    loader.finish('a2');
    assert.equal(await a, 'a2');
    assert.equal(await snapshots.get('b'), 'b1');
    snapshots.invalidateAll();
    const both = [snapshots.get('a'), snapshots.get('b')];
    loader.finish('a3');
    loader.finish('b3');
    assert.deepEqual(await Promise.all(both), ['a3', 'b3']);
  });

  it('update() changes the kept snapshot, keeps its expiry, and overtakes a load under way', async () => {
    const { clock, loader, snapshots } = setUp();
    const got = snapshots.get('main');
    loader.finish('v1');
    await got;
    snapshots.update('main', (value) => `${value}+w`);
    assert.equal(await snapshots.get('main'), 'v1+w');
    clock.now += 1000;
    const reload = snapshots.get('main');
    snapshots.update('main', (value) => `${value}+late`);
    const next = snapshots.get('main');
    loader.finish('stale');
    loader.finish('fresh');
    assert.equal(await reload, 'stale');
    assert.equal(await next, 'fresh');
    assert.equal(await snapshots.get('main'), 'fresh');
  });

  it('update() of a mount with nothing kept does nothing: the next load reads the write', async () => {
    const { loader, snapshots } = setUp();
    let called = false;
    snapshots.update('main', (value) => ((called = true), value));
    assert.equal(called, false);
    const got = snapshots.get('main');
    loader.finish('v1');
    assert.equal(await got, 'v1');
  });

  it('keeps a mount found too big marked so for overflowTtlMs, across writes', async () => {
    const { clock, loader, snapshots } = setUp(1000, 30_000);
    const got = snapshots.get('main');
    loader.finish(null);
    assert.equal(await got, null);
    snapshots.invalidate('main');
    snapshots.update('main', () => 'never');
    clock.now += 29_999;
    assert.equal(await snapshots.get('main'), null);
    assert.equal(loader.started.length, 1);
    clock.now += 1;
    const again = snapshots.get('main');
    loader.finish('small again');
    assert.equal(await again, 'small again');
  });

  it('marks a snapshot that update() makes too big', async () => {
    const { clock, loader, snapshots } = setUp(1000, 30_000);
    const got = snapshots.get('main');
    loader.finish('v1');
    await got;
    snapshots.update('main', () => null);
    clock.now += 5000;
    assert.equal(await snapshots.get('main'), null);
    assert.equal(loader.started.length, 1);
  });

  it('does not keep a failed load', async () => {
    const { loader, snapshots } = setUp();
    const failed = snapshots.get('main');
    loader.fail();
    await assert.rejects(failed, /database down/);
    const retry = snapshots.get('main');
    assert.equal(loader.started.length, 2);
    loader.finish('v1');
    assert.equal(await retry, 'v1');
  });

  it('with ttlMs 0 keeps nothing, but a burst still shares a load', async () => {
    const { loader, snapshots } = setUp(0);
    const burst = [snapshots.get('main'), snapshots.get('main')];
    loader.finish('v1');
    await Promise.all(burst);
    await tick();
    const next = snapshots.get('main');
    loader.finish('v2');
    assert.equal(await next, 'v2');
    assert.equal(loader.started.length, 2);
  });

  it('drops expired snapshots of other mounts when it keeps one (mounts that left the settings)', async () => {
    const { clock, loader, snapshots } = setUp();
    for (let i = 0; i < 100; i++) {
      const got = snapshots.get(`gone-${i}`);
      loader.finish('x');
      await got;
    }
    clock.now += 1000;
    const got = snapshots.get('main');
    loader.finish('m');
    await got;
    const entries = (snapshots as unknown as { entries: Map<string, unknown> }).entries;
    assert.deepEqual([...entries.keys()], ['main']);
  });
});
