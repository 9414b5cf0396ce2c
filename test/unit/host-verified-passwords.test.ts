import { test } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { BcryptPool } from '../../host/bcrypt-pool.js';
import { VerifiedPasswords } from '../../host/verified-passwords.js';

test('a password is known to match only the hash it matched, and only once remembered', () => {
  const verified = new VerifiedPasswords();
  assert.equal(verified.matched('$2b$10$hash-one', 'secret'), false);
  verified.remember('$2b$10$hash-one', 'secret');
  assert.equal(verified.matched('$2b$10$hash-one', 'secret'), true);
  assert.equal(verified.matched('$2b$10$hash-one', 'secreT'), false, 'another password');
  assert.equal(verified.matched('$2b$10$hash-two', 'secret'), false, 'the password changed: a new hash');
  // The separator keeps (hash, password) pairs apart that would join into the same text.
  verified.remember('ab', 'c');
  assert.equal(verified.matched('a', 'bc'), false);
});

test('at most `capacity` remembered; the least recently used goes first', () => {
  const verified = new VerifiedPasswords(2);
  verified.remember('h1', 'p');
  verified.remember('h2', 'p');
  assert.equal(verified.matched('h1', 'p'), true); // h1 is now the most recently used
  verified.remember('h3', 'p');
  assert.equal(verified.matched('h2', 'p'), false);
  assert.equal(verified.matched('h1', 'p'), true);
  assert.equal(verified.matched('h3', 'p'), true);
});

test('the bcrypt pool stops a worker left idle, and starts one again for the next compare', async () => {
  const pool = new BcryptPool(1, 100);
  const hash = bcrypt.hashSync('secret', 4);
  assert.equal(pool.workers, 0, 'started on first use');
  assert.equal(await pool.compare('secret', hash), true);
  assert.equal(await pool.compare('wrong', hash), false);
  assert.equal(pool.workers, 1);
  for (let i = 0; i < 50 && pool.workers > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(pool.workers, 0, 'stopped after 100 ms without a job');
  assert.equal(await pool.compare('secret', hash), true);
});
