import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { HOST_API_VERSION } from '../../plugin/host-api.js';
import { checkHostApi, ManifestError, parseManifest, readManifest } from '../../host/manifest.js';
import { REPO_ROOT } from '../helpers/host-process.js';

const valid = {
  id: 'webdav-shares',
  name: 'WebDAV shares',
  version: '0.1.0',
  entry: 'dist/plugin/index.js',
  hostApi: '^1.0.0',
  ui: { adminPage: { element: 'webdav-admin', title: 'WebDAV shares' } },
};

function rejects(data: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseManifest(data),
    (err: unknown) => {
      assert.ok(err instanceof ManifestError, String(err));
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('manifest validation', () => {
  it('accepts a valid manifest and the repository’s own manifest.json', async () => {
    assert.deepEqual(parseManifest(valid), valid);
    const own = await readManifest(REPO_ROOT);
    assert.equal(own.id, 'webdav-shares');
  });

  it('names a missing field', () => {
    const { id: _id, ...rest } = valid;
    rejects(rest, /"id" is missing/);
  });

  it('names an unknown field, also inside ui', () => {
    rejects({ ...valid, colour: 'red' }, /"colour" is not a known field/);
    rejects({ ...valid, ui: { sidebar: { element: 'x-y', title: 't' } } }, /"ui\.sidebar" is not a known field/);
  });

  it('names a field with a bad value', () => {
    rejects({ ...valid, version: 'one' }, /"version" must match pattern/);
    rejects({ ...valid, id: 'Has Spaces' }, /"id" must match pattern/);
    rejects({ ...valid, name: 42 }, /"name" must be string/);
    rejects(
      { ...valid, ui: { adminPage: { element: 'nodash', title: 'x' } } },
      /"ui\.adminPage\.element" must match pattern/,
    );
  });

  it('refuses entries that leave the plugin folder or are not JavaScript', () => {
    rejects({ ...valid, entry: '../other/index.js' }, /"entry"/);
    rejects({ ...valid, entry: 'dist/../../x.js' }, /"entry"/);
    rejects({ ...valid, entry: '/etc/x.js' }, /"entry"/);
    rejects({ ...valid, entry: 'index.ts' }, /"entry"/);
  });

  it('reports every bad field at once', () => {
    rejects({ ...valid, version: 'x', id: 'X' }, /"id".*; .*"version"|"version".*; .*"id"/);
  });

  it('refuses a non-object', () => {
    rejects('plugin', /\(root\)/);
  });
});

describe('hostApi range', () => {
  it(`accepts ranges that contain this host’s version ${HOST_API_VERSION}`, () => {
    for (const range of ['^1.0.0', '1.x', '>=1.0.0 <2.0.0', '*', HOST_API_VERSION]) checkHostApi(range);
  });

  it('refuses ranges that do not, naming both', () => {
    assert.throws(() => checkHostApi('^2.0.0'), /"hostApi" is "\^2\.0\.0", but this host implements host-api 1\.1\.0/);
    assert.throws(() => checkHostApi('^1.1.0', '1.0.5'), /host-api 1\.0\.5/);
    assert.doesNotThrow(() => checkHostApi('^1.1.0', '1.2.0'));
    rejects({ ...valid, hostApi: '>=3' }, /"hostApi"/);
  });

  it('refuses something that is not a range', () => {
    assert.throws(() => checkHostApi('latest'), /not a semver range/);
  });
});

describe('readManifest', () => {
  it('names the file when it is missing or not JSON', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'host-manifest-'));
    try {
      await assert.rejects(
        readManifest(dir),
        (err: Error) => err.message.includes(path.join(dir, 'manifest.json')) && /cannot read/.test(err.message),
      );
      await writeFile(path.join(dir, 'manifest.json'), '{ "id": ');
      await assert.rejects(readManifest(dir), /manifest\.json: not valid JSON/);
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...valid, hostApi: '^9' }));
      await assert.rejects(readManifest(dir), /manifest\.json: "hostApi"/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
