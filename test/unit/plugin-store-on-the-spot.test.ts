import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OnTheSpot } from '../../plugin/store/on-the-spot.js';

test('quick calls keep reads on the spot', () => {
  let now = 0;
  const spot = new OnTheSpot({ slowMs: 1, backOffMs: 5000, now: () => now });
  for (let i = 0; i < 100; i++) {
    assert.equal(spot.allowed, true);
    assert.equal(
      spot.run(() => {
        now += 0.5;
        return i;
      }),
      i,
    );
  }
  assert.equal(spot.allowed, true);
});

test('one slow call sends reads to the pool for the back-off period, then they come back', () => {
  let now = 0;
  const spot = new OnTheSpot({ slowMs: 1, backOffMs: 5000, now: () => now });
  spot.run(() => (now += 30)); // a cold disk
  assert.equal(spot.allowed, false);
  now += 4999;
  assert.equal(spot.allowed, false);
  now += 1;
  assert.equal(spot.allowed, true);
});

test('a call that throws is timed too, and its error reaches the caller', () => {
  let now = 0;
  const spot = new OnTheSpot({ slowMs: 1, backOffMs: 5000, now: () => now });
  assert.throws(
    () =>
      spot.run(() => {
        now += 10;
        throw new Error('EIO');
      }),
    /EIO/,
  );
  assert.equal(spot.allowed, false);
});
