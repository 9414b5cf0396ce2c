import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FolderSyncs } from '../../plugin/store/folder-syncs.js';

/** A folder fsync the test ends by hand; records which folders were synced, in order. */
function manualSyncs() {
  const started: string[] = [];
  const running: Array<{ folder: string; end: (error?: Error) => void }> = [];
  const syncs = new FolderSyncs(
    (folder) =>
      new Promise<void>((resolve, reject) => {
        started.push(folder);
        running.push({ folder, end: (error) => (error ? reject(error) : resolve()) });
      }),
  );
  const endNext = async (error?: Error) => {
    running.shift()!.end(error);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { syncs, started, endNext };
}

test('changes that ask while a folder fsync runs share the next one, which starts after it', async () => {
  const { syncs, started, endNext } = manualSyncs();
  const settled: string[] = [];
  const first = syncs.sync('/a').then(() => settled.push('first'));
  const second = syncs.sync('/a').then(() => settled.push('second'));
  const third = syncs.sync('/a').then(() => settled.push('third'));
  assert.deepEqual(started, ['/a'], 'one fsync at a time per folder');
  await endNext();
  await first;
  assert.deepEqual(settled, ['first'], 'the later ones do not count the fsync that was running when they asked');
  assert.deepEqual(started, ['/a', '/a'], 'the next one started when the first ended');
  await endNext();
  await Promise.all([second, third]);
  assert.deepEqual(settled, ['first', 'second', 'third']);
  assert.equal(started.length, 2, 'two changes served by one fsync');
});

test('folders are synced independently, and a failed fsync fails exactly the changes it served', async () => {
  const { syncs, started, endNext } = manualSyncs();
  const aFailed = assert.rejects(syncs.sync('/a'), /EIO/);
  const b = syncs.sync('/b');
  assert.deepEqual(started, ['/a', '/b']);
  await endNext(new Error('EIO'));
  await aFailed;
  await endNext();
  await b;
  const again = syncs.sync('/a');
  assert.deepEqual(started, ['/a', '/b', '/a'], 'a failure does not stop later fsyncs');
  await endNext();
  await again;
});

test('a sync function that throws at once fails its changes instead of the caller', async () => {
  const syncs = new FolderSyncs(() => {
    throw new Error('EBADF');
  });
  await assert.rejects(syncs.sync('/a'), /EBADF/);
  await assert.rejects(syncs.sync('/a'), /EBADF/, 'the folder is not left marked as running');
});
