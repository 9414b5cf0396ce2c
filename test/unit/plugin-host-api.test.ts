/** The runtime parts of the host contract (plugin/host-api.ts), which the host and the plugin both use. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDatabaseOutage } from '../../plugin/host-api.js';

test('isDatabaseOutage: connection failures of pg and knex are outages; constraint violations and bugs are not', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.equal(isDatabaseOutage(refused), true);
  assert.equal(isDatabaseOutage(Object.assign(new Error('terminating connection'), { code: '57P01' })), true);
  assert.equal(isDatabaseOutage(Object.assign(new Error('x'), { name: 'KnexTimeoutError' })), true);
  assert.equal(isDatabaseOutage(new Error('Connection terminated unexpectedly')), true);
  assert.equal(
    isDatabaseOutage(new Error('wrapped', { cause: new Error('Connection terminated unexpectedly') })),
    true,
  );
  assert.equal(isDatabaseOutage(new AggregateError([refused], '')), true, 'a host name with several addresses');
  assert.equal(isDatabaseOutage(Object.assign(new Error('duplicate key'), { code: '23505' })), false);
  assert.equal(isDatabaseOutage(new TypeError('undefined is not a function')), false);
});
