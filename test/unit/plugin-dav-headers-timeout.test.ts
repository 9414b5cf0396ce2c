/**
 * The Timeout request header (RFC 4918 §10.7): the first value the server
 * can honour, capped by the maximum setting.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LOCK_TIMEOUT_SECONDS, parseTimeout } from '../../plugin/dav/headers/timeout.js';

describe('parseTimeout', () => {
  it('Second-N up to the maximum', () => {
    assert.equal(parseTimeout('Second-1', 3600), 1);
    assert.equal(parseTimeout('Second-600', 3600), 600);
    assert.equal(parseTimeout('Second-3600', 3600), 3600);
    assert.equal(parseTimeout('Second-3601', 3600), 3600);
    assert.equal(parseTimeout('Second-4100000000', 3600), 3600);
    assert.equal(parseTimeout('Second-99999999999999999999999', 3600), 3600);
  });

  it('Infinite is the maximum', () => {
    assert.equal(parseTimeout('Infinite', 3600), 3600);
    assert.equal(parseTimeout('Infinite', 60), 60);
  });

  it('a list: the first value it understands wins', () => {
    assert.equal(parseTimeout('Infinite, Second-4100000000', 3600), 3600);
    assert.equal(parseTimeout('Second-30, Infinite', 3600), 30);
    assert.equal(parseTimeout('Extend-Forever, Second-45', 3600), 45);
    assert.equal(parseTimeout('Second-0, Second-20', 3600), 20);
    assert.equal(parseTimeout(' Second-12 ,Second-20', 3600), 12);
  });

  it('ignores case and surrounding whitespace (ABNF literals are case-insensitive)', () => {
    assert.equal(parseTimeout('second-30', 3600), 30);
    assert.equal(parseTimeout('INFINITE', 100), 100);
    assert.equal(parseTimeout('\tSecond-7 ', 3600), 7);
  });

  it('nothing usable: the default, capped by the maximum', () => {
    assert.equal(DEFAULT_LOCK_TIMEOUT_SECONDS, 3600);
    for (const header of [
      undefined,
      '',
      'garbage',
      'Second-',
      'Second--5',
      'Second-1.5',
      'Second-0',
      'Seconds-30',
      'Second 30',
      ',',
    ]) {
      assert.equal(parseTimeout(header, 86400), 3600, JSON.stringify(header));
      assert.equal(parseTimeout(header, 120), 120, JSON.stringify(header));
    }
  });

  it('never grants less than a second, whatever the maximum says', () => {
    assert.equal(parseTimeout('Second-30', 0), 1);
    assert.equal(parseTimeout(undefined, 0.5), 1);
  });
});
