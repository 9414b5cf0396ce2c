import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from '../../plugin/access/ttl-cache.js';

test('a value is computed once and served until it expires', async () => {
  let now = 0;
  let calls = 0;
  const cache = new TtlCache<number>(4000, 10, () => now);
  const compute = async () => ++calls;
  assert.equal(await cache.get('k', compute), 1);
  now = 3999;
  assert.equal(await cache.get('k', compute), 1);
  now = 4000;
  assert.equal(await cache.get('k', compute), 2);
});

test('concurrent lookups of a missing key share one computation', async () => {
  let calls = 0;
  const cache = new TtlCache<string>(1000, 10);
  const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve(`v${++calls}`), 20));
  const results = await Promise.all(Array.from({ length: 50 }, () => cache.get('k', slow)));
  assert.equal(calls, 1);
  assert.ok(results.every((value) => value === 'v1'));
});

test('a failed computation is not cached', async () => {
  const cache = new TtlCache<string>(1000, 10);
  await assert.rejects(cache.get('k', () => Promise.reject(new Error('down'))));
  assert.equal(await cache.get('k', async () => 'up'), 'up');
});

test('the cache never grows past its bound', async () => {
  const cache = new TtlCache<number>(60_000, 100);
  for (let i = 0; i < 1000; i++) await cache.get(`k${i}`, async () => i);
  assert.ok(cache.size <= 100, `size ${cache.size}`);
});

test('an entry in use is computed again in the background and served meanwhile', async () => {
  let now = 0;
  let calls = 0;
  let finish: (value: number) => void = () => undefined;
  const cache = new TtlCache<number>(4000, 10, () => now, 2000);
  assert.equal(await cache.get('k', async () => ++calls), 1);
  now = 2500;
  const refresh = () => new Promise<number>((resolve) => (finish = resolve));
  // Due for a refresh: the old value comes at once, one computation starts.
  assert.equal(await cache.get('k', refresh), 1);
  assert.equal(await cache.get('k', refresh), 1);
  finish(2);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(cache.peek('k'), 2);
  // The refreshed value counts its age from when its computation began (2500).
  now = 6499;
  assert.equal(cache.peek('k'), 2);
  now = 6500;
  assert.equal(cache.peek('k'), undefined);
});

test('nothing is served older than the time to live when the refresh is slow', async () => {
  let now = 0;
  const cache = new TtlCache<string>(4000, 10, () => now, 2000);
  await cache.get('k', async () => 'old');
  now = 2000;
  let finish: (value: string) => void = () => undefined;
  assert.equal(
    cache.peek('k', () => new Promise<string>((resolve) => (finish = resolve))),
    'old',
  );
  now = 4000;
  // Expired while the refresh still runs: the lookup waits for it instead of serving 'old'.
  const waiting = cache.get('k', async () => 'never asked');
  finish('new');
  assert.equal(await waiting, 'new');
});

test('a failed refresh keeps the old value until it expires', async () => {
  let now = 0;
  const cache = new TtlCache<string>(4000, 10, () => now, 2000);
  await cache.get('k', async () => 'v');
  now = 3000;
  assert.equal(
    cache.peek('k', () => Promise.reject(new Error('down'))),
    'v',
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(cache.peek('k'), 'v');
  now = 4000;
  assert.equal(cache.peek('k'), undefined);
});
