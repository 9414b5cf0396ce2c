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
