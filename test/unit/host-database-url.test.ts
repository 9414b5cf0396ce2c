/** Which database the host uses, and that its password never shows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseDatabase, databaseAddress, redactPassword, redactUrl } from '../../host/database-url.js';
import { databaseFailureLine } from '../../host/database-outage.js';

const FLAG = 'postgres://a@flag-host:5433/one';
const ENV = 'postgres://b@env-host/two';
const SETTING = 'postgresql://c@setting-host:6000/three';

test('--database wins over MEDIAHOST_DATABASE_URL, which wins over db.url; none of them is SQLite', () => {
  const settings = new Map([['db.url', SETTING]]);
  const env = { MEDIAHOST_DATABASE_URL: ENV };
  assert.deepEqual(chooseDatabase({ flag: FLAG, env, settings }), { url: FLAG, source: '--database' });
  assert.deepEqual(chooseDatabase({ env, settings }), { url: ENV, source: 'MEDIAHOST_DATABASE_URL' });
  assert.deepEqual(chooseDatabase({ env: {}, settings }), { url: SETTING, source: 'db.url' });
  assert.deepEqual(chooseDatabase({ env: { MEDIAHOST_DATABASE_URL: ' ' }, settings: new Map() }), {
    url: undefined,
    source: 'default',
  });
});

test('a URL that is not PostgreSQL is refused with its source named and without its password', () => {
  assert.throws(() => chooseDatabase({ flag: 'mysql://u:hunter2@h/db' }), /--database: only PostgreSQL/);
  assert.throws(
    () => chooseDatabase({ settings: new Map([['db.url', 'postgres://u:hunter2@h']]) }),
    (err: Error) => /^db\.url: .*must name a host and a database/.test(err.message) && !err.message.includes('hunter2'),
  );
  assert.throws(
    () => chooseDatabase({ env: { MEDIAHOST_DATABASE_URL: 'not a url' } }),
    /MEDIAHOST_DATABASE_URL: .*not a URL/,
  );
});

test('the password is replaced wherever it appears, raw or percent-decoded', () => {
  const url = 'postgres://app:p%40ss%3Aw0rd@db.lan:5432/media';
  assert.equal(redactUrl(url), 'postgres://app:***@db.lan:5432/media');
  assert.equal(redactUrl('postgres://app@db.lan/media'), 'postgres://app@db.lan/media');
  assert.equal(
    redactPassword(`connect ${url} failed; password "p@ss:w0rd" wrong; p%40ss%3Aw0rd`, url),
    'connect postgres://app:***@db.lan:5432/media failed; password "***" wrong; ***',
  );
  assert.equal(databaseAddress(url), 'db.lan:5432');
  assert.equal(databaseAddress('postgres://app@db.lan/media'), 'db.lan:5432');
});

test('a database that cannot be reached or entered is one line naming where, never the password', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  const url = 'postgres://app:hunter2@db.lan:5439/media';
  assert.equal(databaseFailureLine(refused, url), 'cannot reach the database at db.lan:5439 (ECONNREFUSED)');
  const auth = Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' });
  assert.equal(
    databaseFailureLine(auth, url),
    'the database at db.lan:5439 refused the connection: password authentication failed for user "app"',
  );
  assert.equal(databaseFailureLine(new TypeError('bug'), url), null);
  assert.equal(databaseFailureLine(refused, undefined), null);
});
