import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadBuffers } from '../../plugin/store/read-buffers.js';

test('a buffer given back is taken again; at most `keep` wait', () => {
  const buffers = new ReadBuffers(16, 2, 60_000);
  const [a, b, c] = [buffers.take(), buffers.take(), buffers.take()];
  assert.equal(a.length, 16);
  assert.notEqual(a, b);
  buffers.giveBack(a);
  buffers.giveBack(b);
  buffers.giveBack(c);
  assert.equal(buffers.waiting, 2, 'the third one is left to the garbage collector');
  const again = new Set([buffers.take(), buffers.take()]);
  assert.deepEqual(again, new Set([a, b]));
  assert.equal(buffers.waiting, 0);
  assert.notEqual(buffers.take(), c, 'a new one once none waits');
});

test('a buffer of another size is not kept, and one given back twice is refused', () => {
  const buffers = new ReadBuffers(16, 4, 60_000);
  buffers.giveBack(Buffer.alloc(8));
  buffers.giveBack(buffers.take().subarray(0, 8));
  assert.equal(buffers.waiting, 0);
  const a = buffers.take();
  buffers.giveBack(a);
  assert.throws(() => buffers.giveBack(a), /given back twice/);
  assert.equal(buffers.waiting, 1);
});

test('waiting buffers are let go once none was taken for idleMs', async () => {
  const buffers = new ReadBuffers(16, 4, 40);
  buffers.giveBack(buffers.take());
  buffers.giveBack(buffers.take());
  assert.equal(buffers.waiting, 1);
  await sleep(25);
  buffers.giveBack(buffers.take()); // a take resets the idle time
  await sleep(25);
  assert.equal(buffers.waiting, 1, 'still in use 50 ms after the first give-back');
  await sleep(100);
  assert.equal(buffers.waiting, 0);
});
