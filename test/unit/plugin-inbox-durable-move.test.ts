/**
 * Moving a file into place without overwriting (plugin/inbox/durable-move.ts):
 * by hard link where it can, by a synced copy where the file system has no
 * hard links or the target is on another one; a name taken meanwhile is
 * not overwritten, and a source replaced meanwhile is not deleted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { link, lstat, mkdir, readdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { moveIntoPlace, removeIfUnchanged } from '../../plugin/inbox/durable-move.js';
import { tempFolder } from '../helpers/system.js';

const failingLink = (code: string) => async () => {
  throw Object.assign(new Error(`link: ${code}`), { code });
};

async function setUp(t: { after(fn: () => Promise<void>): void }) {
  const dir = await tempFolder(t, 'inbox-move-');
  const source = join(dir, 'photo.jpg');
  const folder = join(dir, 'target');
  await writeFile(source, 'the photo');
  await utimes(source, new Date('2024-05-17T12:00:00Z'), new Date('2024-05-17T12:00:00Z'));
  await mkdir(folder);
  return { dir, source, folder };
}

describe('moveIntoPlace', () => {
  it('links the file into place and removes the source', async (t) => {
    const { source, folder } = await setUp(t);
    const before = await stat(source);
    assert.deepEqual(await moveIntoPlace(source, folder, 'photo.jpg'), { kind: 'placed', name: 'photo.jpg' });
    const after = await stat(join(folder, 'photo.jpg'));
    assert.equal(after.ino, before.ino, 'the same file, not a copy');
    await assert.rejects(lstat(source), { code: 'ENOENT' });
  });

  for (const code of ['EXDEV', 'EPERM', 'ENOTSUP']) {
    it(`copies, syncs and then removes the source when link fails with ${code}`, async (t) => {
      const { source, folder } = await setUp(t);
      await writeFile(join(folder, 'photo.jpg'), 'another photo');
      const placed = await moveIntoPlace(source, folder, 'photo.jpg', { link: failingLink(code) });
      assert.deepEqual(placed, { kind: 'placed', name: 'photo (2).jpg' });
      assert.equal(await readFile(join(folder, 'photo (2).jpg'), 'utf8'), 'the photo');
      assert.equal(await readFile(join(folder, 'photo.jpg'), 'utf8'), 'another photo', 'not overwritten');
      assert.equal((await stat(join(folder, 'photo (2).jpg'))).mtime.toISOString(), '2024-05-17T12:00:00.000Z');
      await assert.rejects(lstat(source), { code: 'ENOENT' });
      assert.deepEqual((await readdir(folder)).sort(), ['photo (2).jpg', 'photo.jpg'], 'no temporary copy left');
    });
  }

  it('drops the source when a name on the way holds the same content', async (t) => {
    const { source, folder } = await setUp(t);
    await writeFile(join(folder, 'photo.jpg'), 'other');
    await writeFile(join(folder, 'photo (2).jpg'), 'the photo');
    assert.deepEqual(await moveIntoPlace(source, folder, 'photo.jpg'), { kind: 'duplicate', name: 'photo (2).jpg' });
    await assert.rejects(lstat(source), { code: 'ENOENT' });
    assert.deepEqual((await readdir(folder)).sort(), ['photo (2).jpg', 'photo.jpg']);
  });

  it('drops the source left beside its own hard link by a crash between link and unlink', async (t) => {
    const { source, folder } = await setUp(t);
    await link(source, join(folder, 'photo.jpg'));
    assert.deepEqual(await moveIntoPlace(source, folder, 'photo.jpg'), { kind: 'duplicate', name: 'photo.jpg' });
    await assert.rejects(lstat(source), { code: 'ENOENT' });
    assert.equal(await readFile(join(folder, 'photo.jpg'), 'utf8'), 'the photo');
  });

  it('does not overwrite a name taken between its check and the link', async (t) => {
    const { source, folder } = await setUp(t);
    let raced = false;
    const racingLink = async (from: string, to: string) => {
      if (!raced) {
        raced = true;
        await writeFile(to, 'written by someone else meanwhile');
      }
      await link(from, to);
    };
    assert.deepEqual(await moveIntoPlace(source, folder, 'photo.jpg', { link: racingLink }), {
      kind: 'placed',
      name: 'photo (2).jpg',
    });
    assert.equal(await readFile(join(folder, 'photo.jpg'), 'utf8'), 'written by someone else meanwhile');
    assert.equal(await readFile(join(folder, 'photo (2).jpg'), 'utf8'), 'the photo');
  });

  it('removes a source only while it is the file that was moved', async (t) => {
    const { source } = await setUp(t);
    const before = await lstat(source, { bigint: true });
    await writeFile(`${source}.new`, 'a new upload');
    await rename(`${source}.new`, source); // a PUT replaced it
    assert.equal(await removeIfUnchanged(source, before), false);
    assert.equal(await readFile(source, 'utf8'), 'a new upload');
    assert.equal(await removeIfUnchanged(source, await lstat(source, { bigint: true })), true);
    await assert.rejects(lstat(source), { code: 'ENOENT' });
  });
});
