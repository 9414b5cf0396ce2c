/** A database out of reach is a 503 with Retry-After for WebDAV clients, never a 500. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDatabaseOutage } from '../../plugin/dav/database-outage.js';
import { davErrorOfStorage, statusOfFailure } from '../../plugin/dav/storage-status.js';

test('connection failures of pg and knex are outages; constraint violations and bugs are not', () => {
  assert.equal(isDatabaseOutage(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), true);
  assert.equal(isDatabaseOutage(Object.assign(new Error('terminating connection'), { code: '57P01' })), true);
  assert.equal(isDatabaseOutage(Object.assign(new Error('x'), { name: 'KnexTimeoutError' })), true);
  assert.equal(
    isDatabaseOutage(new Error('wrapped', { cause: new Error('Connection terminated unexpectedly') })),
    true,
  );
  assert.equal(isDatabaseOutage(Object.assign(new Error('duplicate key'), { code: '23505' })), false);
  assert.equal(isDatabaseOutage(new TypeError('undefined is not a function')), false);
});

test('the WebDAV answer to an outage is 503 with Retry-After, also for one member of a COPY or DELETE', () => {
  const outage = Object.assign(new Error('Connection terminated'), { code: '57P01' });
  for (const answer of [davErrorOfStorage(outage), statusOfFailure(outage)]) {
    assert.equal(answer?.status, 503);
    assert.equal(answer?.headers['Retry-After'], '5');
  }
  assert.equal(davErrorOfStorage(new TypeError('bug')), null);
});
