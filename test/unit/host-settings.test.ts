import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Logger } from '../../plugin/host-api.js';
import { writeFileAtomic } from '../../host/properties.js';
import { FileSettings } from '../../host/settings.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Resolves with the next change notification, or rejects after `ms`. */
function nextChange(settings: FileSettings, ms = 3000): Promise<readonly string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('no change noticed'));
    }, ms);
    const off = settings.onChange((keys) => {
      clearTimeout(timer);
      off();
      resolve(keys);
    });
  });
}

describe('FileSettings', () => {
  let dir: string;
  let file: string;
  let settings: FileSettings;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'host-settings-'));
    file = path.join(dir, 'settings.properties');
    await writeFile(file, '# comment\nrobot.root.0.path=/photos\nkeep=1\n');
    settings = await new FileSettings(file, { log: quiet, interval: 50 }).open();
  });

  afterEach(async () => {
    settings.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the file', () => {
    assert.equal(settings.get('robot.root.0.path'), '/photos');
    assert.deepEqual(settings.all(), { 'robot.root.0.path': '/photos', keep: '1' });
  });

  it('notices a change made by someone else (atomic rename) and names the changed keys', async () => {
    const change = nextChange(settings);
    await writeFileAtomic(file, 'robot.root.0.path=/other\nkeep=1\nnew=x\n');
    assert.deepEqual(await change, ['new', 'robot.root.0.path']);
    assert.equal(settings.get('robot.root.0.path'), '/other');
  });

  it('notices an in-place edit and a removed key', async () => {
    const change = nextChange(settings);
    await writeFile(file, 'robot.root.0.path=/photos\n');
    assert.deepEqual(await change, ['keep']);
    assert.equal(settings.get('keep'), undefined);
  });

  it('update() persists, keeps comments, notifies once and removes keys set to null', async () => {
    const seen: string[][] = [];
    settings.onChange((keys) => seen.push([...keys]));
    await settings.update({ keep: null, 'webdav.0.path': '/scans' });
    assert.equal(await readFile(file, 'utf8'), '# comment\nrobot.root.0.path=/photos\nwebdav.0.path=/scans\n');
    assert.deepEqual(seen, [['keep', 'webdav.0.path']]);
    await new Promise((r) => setTimeout(r, 300)); // the poll sees our own write: no second notification
    assert.deepEqual(seen, [['keep', 'webdav.0.path']]);
  });

  it('update() starts from the file, not from a stale memory', async () => {
    settings.close(); // nobody polls: memory is stale
    await writeFileAtomic(file, 'robot.root.0.path=/photos\nkeep=1\nfromOther=yes\n');
    await settings.update({ mine: '1' });
    assert.equal(settings.get('fromOther'), 'yes');
    assert.match(await readFile(file, 'utf8'), /fromOther=yes\nmine=1\n$/);
  });

  it('keeps the previous settings while the file is missing or broken', async () => {
    await unlink(file);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settings.get('keep'), '1');
    await writeFile(file, 'keep=\\u12\n');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settings.get('keep'), '1');
    const change = nextChange(settings);
    await writeFile(file, 'keep=2\n');
    await change;
    assert.equal(settings.get('keep'), '2');
  });

  it('stops watching on close', async () => {
    let calls = 0;
    settings.onChange(() => calls++);
    settings.close();
    await writeFileAtomic(file, 'keep=changed\n');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(calls, 0);
    assert.equal(settings.get('keep'), '1');
  });

  it('an unsubscribed listener is not called, and a throwing one does not stop the others', async () => {
    let a = 0;
    const off = settings.onChange(() => a++);
    off();
    settings.onChange(() => {
      throw new Error('listener bug');
    });
    const change = nextChange(settings);
    await writeFileAtomic(file, 'keep=3\n');
    await change;
    assert.equal(a, 0);
  });
});
