/** A database out of reach is a 503 with Retry-After for WebDAV clients, never a 500. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { davErrorOfStorage, statusOfFailure } from '../../plugin/dav/storage-status.js';

test('the WebDAV answer to an outage is 503 with Retry-After, also for one member of a COPY or DELETE', () => {
  const outage = Object.assign(new Error('Connection terminated'), { code: '57P01' });
  for (const answer of [davErrorOfStorage(outage), statusOfFailure(outage)]) {
    assert.equal(answer?.status, 503);
    assert.equal(answer?.headers['Retry-After'], '5');
  }
  assert.equal(davErrorOfStorage(new TypeError('bug')), null);
});
