import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSettings } from '../../plugin/config/settings.js';

const errorsOf = (all: Record<string, string>) =>
  parseSettings(all).problems.filter((problem) => problem.severity === 'error');

test('a photo root with a mount name becomes a share; one without is not shared', () => {
  const { settings, problems } = parseSettings({
    'robot.root.0.path': '/srv/photos',
    'robot.root.0.webdavmount': 'main',
    'robot.root.1.path': '/srv/private',
  });
  assert.deepEqual(settings.shares, [{ source: 'robot.root.0', mount: 'main', path: '/srv/photos', readonly: false }]);
  assert.deepEqual(problems, []);
});

test('extra webdav.N shares, per-share readonly and the global switches are read', () => {
  const { settings } = parseSettings({
    'robot.root.0.path': '/a',
    'robot.root.0.webdavmount': 'a',
    'robot.root.0.webdavreadonly': 'TRUE',
    'webdav.0.path': '/srv/scans',
    'webdav.0.webdavmount': 'scans',
    'webdav.0.readonly': 'false',
    'webdav.uploadallowed': 'false',
    'webdav.deleteallowed': 'true',
    'user.log.webdav': 'true',
    'webdav.baseurl': 'https://photos.example.org/',
  });
  assert.deepEqual(
    settings.shares.map((share) => [share.mount, share.readonly]),
    [['a', true], ['scans', false]],
  );
  assert.equal(settings.uploadAllowed, false);
  assert.equal(settings.deleteAllowed, true);
  assert.equal(settings.auditEnabled, true);
  assert.equal(settings.baseUrl, 'https://photos.example.org');
});

test('switches default to allowing uploads and deletes, without audit', () => {
  const { settings } = parseSettings({});
  assert.equal(settings.uploadAllowed, true);
  assert.equal(settings.deleteAllowed, true);
  assert.equal(settings.auditEnabled, false);
  assert.equal(settings.auditDays, 90);
});

test('gaps in numbering are allowed, reported as a notice, and later shares still load', () => {
  const { settings, problems } = parseSettings({
    'webdav.0.path': '/a',
    'webdav.0.webdavmount': 'a',
    'webdav.3.path': '/b',
    'webdav.3.webdavmount': 'b',
  });
  assert.deepEqual(settings.shares.map((share) => share.mount), ['a', 'b']);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.severity, 'notice');
  assert.equal(problems[0]!.key, 'webdav.1');
});

test('a mount name outside [A-Za-z0-9._-]{1,64} is an error naming the key; other shares stay', () => {
  for (const bad of ['has space', 'a/b', 'x'.repeat(65), 'ä', '..']) {
    const { settings } = parseSettings({
      'webdav.0.path': '/a',
      'webdav.0.webdavmount': bad,
      'webdav.1.path': '/b',
      'webdav.1.webdavmount': 'good',
    });
    assert.deepEqual(settings.shares.map((share) => share.mount), ['good'], bad);
    const errors = errorsOf({ 'webdav.0.path': '/a', 'webdav.0.webdavmount': bad });
    assert.equal(errors.length, 1, bad);
    assert.equal(errors[0]!.key, 'webdav.0.webdavmount');
  }
});

test('a duplicate mount name is an error on the second share; the first stays', () => {
  const { settings, problems } = parseSettings({
    'robot.root.0.path': '/a',
    'robot.root.0.webdavmount': 'Main',
    'webdav.0.path': '/b',
    'webdav.0.webdavmount': 'main',
  });
  assert.deepEqual(settings.shares.map((share) => share.source), ['robot.root.0']);
  assert.equal(problems[0]!.key, 'webdav.0.webdavmount');
  assert.match(problems[0]!.message, /duplicate mount name "main" \(already used by robot\.root\.0\)/);
});

test('a share without a folder, or a webdav.N without a mount, is an error naming the key', () => {
  assert.deepEqual(errorsOf({ 'webdav.0.webdavmount': 'x' }).map((problem) => problem.key), ['webdav.0.path']);
  assert.deepEqual(errorsOf({ 'webdav.0.path': '/x' }).map((problem) => problem.key), ['webdav.0.webdavmount']);
  assert.deepEqual(errorsOf({ 'webdav.0.path': 'relative', 'webdav.0.webdavmount': 'x' }).map((problem) => problem.key), [
    'webdav.0.path',
  ]);
});

test('a malformed switch is an error naming the key, and its default applies', () => {
  const { settings, problems } = parseSettings({ 'webdav.deleteallowed': 'yes please' });
  assert.equal(settings.deleteAllowed, true);
  assert.equal(problems[0]!.key, 'webdav.deleteallowed');
  assert.match(problems[0]!.message, /true or false/);
});

test('a base URL that is not http(s) is refused with its key', () => {
  const { settings, problems } = parseSettings({ 'webdav.baseurl': 'ftp://x' });
  assert.equal(settings.baseUrl, undefined);
  assert.equal(problems[0]!.key, 'webdav.baseurl');
});
