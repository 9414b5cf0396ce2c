import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBasicAuth } from '../../plugin/access/basic-auth.js';

const encode = (text: string, encoding: BufferEncoding = 'utf8') =>
  `Basic ${Buffer.from(text, encoding).toString('base64')}`;

test('plain credentials are decoded', () => {
  assert.deepEqual(parseBasicAuth(encode('anna:secret')), { user: 'anna', password: 'secret' });
});

test('the scheme name is case-insensitive', () => {
  assert.deepEqual(parseBasicAuth(`bAsIc ${Buffer.from('a:b').toString('base64')}`), { user: 'a', password: 'b' });
});

test('a password may contain colons: only the first one splits', () => {
  assert.deepEqual(parseBasicAuth(encode('anna:pa:ss:word:')), { user: 'anna', password: 'pa:ss:word:' });
});

test('an empty password is a password', () => {
  assert.deepEqual(parseBasicAuth(encode('anna:')), { user: 'anna', password: '' });
});

test('non-ASCII user names and passwords are read as UTF-8 (RFC 7617)', () => {
  assert.deepEqual(parseBasicAuth(encode('Jürgen:päss€')), { user: 'Jürgen', password: 'päss€' });
});

test('a decomposed user name is normalised to NFC', () => {
  assert.equal(parseBasicAuth(encode('Ju\u0308rgen:x'))!.user, 'J\u00fcrgen');
});

test('bytes that are not UTF-8 fall back to ISO-8859-1, as older clients send', () => {
  assert.deepEqual(parseBasicAuth(encode('J\u00fcrgen:x', 'latin1')), { user: 'Jürgen', password: 'x' });
});

test('malformed headers are not credentials', () => {
  for (const header of [
    undefined,
    '',
    'Basic',
    'Basic ',
    'Bearer abc',
    'Basic !!!!',
    'Basic YWJj', // "abc": no colon
    encode(':nouser'),
    'Basic YTpi YTpi', // two tokens
    'Basic YTpiYw', // bad padding length
    encode('a\u0000b:c'),
    `Basic ${'A'.repeat(5000)}`,
  ]) {
    assert.equal(parseBasicAuth(header), null, String(header));
  }
});
