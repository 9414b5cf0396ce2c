import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle, MAX_PAIR_FAILURES, MAX_USER_FAILURES } from '../../plugin/access/login-throttle.js';

function fail(throttle: LoginThrottle, user: string, address: string, times: number): void {
  for (let i = 0; i < times; i++) {
    const verdict = throttle.check(user, address);
    assert.ok(verdict.allowed, `attempt ${i + 1} should be allowed`);
    throttle.failed(user, address);
  }
}

test('a (user, address) pair is refused after the failures limit, with a Retry-After', () => {
  let now = 0;
  const throttle = new LoginThrottle(() => now);
  fail(throttle, 'anna', '10.0.0.9', MAX_PAIR_FAILURES);
  const verdict = throttle.check('anna', '10.0.0.9');
  assert.equal(verdict.allowed, false);
  assert.equal(!verdict.allowed && verdict.retryAfterSeconds, 30);
  now += 30_000;
  assert.equal(throttle.check('anna', '10.0.0.9').allowed, true);
});

test('lockouts double with each repetition', () => {
  let now = 0;
  const throttle = new LoginThrottle(() => now);
  fail(throttle, 'anna', 'a', MAX_PAIR_FAILURES);
  now += 30_000;
  fail(throttle, 'anna', 'a', MAX_PAIR_FAILURES);
  const verdict = throttle.check('anna', 'a');
  assert.equal(!verdict.allowed && verdict.retryAfterSeconds, 60);
});

test('the rightful user at another address is not locked out, only slowed softly', () => {
  const throttle = new LoginThrottle(() => 0);
  for (let address = 0; address < 10; address++) fail(throttle, 'anna', `attacker-${address}`, MAX_PAIR_FAILURES - 1);
  const verdict = throttle.check('anna', 'home');
  assert.equal(verdict.allowed, true);
  assert.ok(verdict.allowed && verdict.delayMs > 0 && verdict.delayMs <= 3000, JSON.stringify(verdict));
  assert.ok(MAX_USER_FAILURES < 10 * (MAX_PAIR_FAILURES - 1));
});

test('parallel guesses cannot slip past the limit while their checks are under way', () => {
  const throttle = new LoginThrottle(() => 0);
  const allowed = Array.from({ length: 50 }, () => throttle.check('anna', 'x')).filter((verdict) => verdict.allowed);
  assert.equal(allowed.length, MAX_PAIR_FAILURES);
});

test('a success clears the pair; an abandoned check frees its place', () => {
  const throttle = new LoginThrottle(() => 0);
  fail(throttle, 'anna', 'x', MAX_PAIR_FAILURES - 1);
  assert.equal(throttle.check('anna', 'x').allowed, true);
  throttle.succeeded('anna', 'x');
  fail(throttle, 'anna', 'x', MAX_PAIR_FAILURES - 1);
  assert.equal(throttle.check('anna', 'x').allowed, true);
  throttle.abandoned('anna', 'x');
  assert.equal(throttle.check('anna', 'x').allowed, true);
});
