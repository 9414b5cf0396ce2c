import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateViewStore } from '../../plugin/media/date-view-store.js';
import type { IndexedFile, MediaIndex } from '../../plugin/media/media-index.js';
import type { ListingStamp, ResourceInfo, Store, StorePath } from '../../plugin/store/store.js';

const MAY: StorePath = ['2024', '2024-05'];

/** A share of `counts[i]` photos of May 2024 in each folder `f<i>`, whose store vouches with `stamps[i]` (null: never). */
function setup(counts: number[]) {
  const stamps: (ListingStamp | null)[] = counts.map(() => ({}));
  let generation = 1;
  const files: IndexedFile[] = counts.flatMap((count, folder) =>
    Array.from({ length: count }, (_, i) => ({
      path: [`f${folder}`, `p${i}.jpg`],
      size: 10,
      mtimeMs: 0,
      captureMs: Date.UTC(2024, 4, 1 + (i % 28)) + folder,
      month: '2024-05',
      source: 'exif' as const,
      kind: 'photo' as const,
    })),
  );
  const info = (name: string): ResourceInfo =>
    Object.freeze({
      name,
      isCollection: false,
      size: 10,
      modified: new Date(0),
      created: new Date(0),
      etag: `"${name}"`,
    });
  const real = {
    async *list(path: StorePath, stamped?: (stamp: ListingStamp) => void) {
      const folder = Number(path[0]!.slice(1));
      yield Array.from({ length: counts[folder]! }, (_, i) => info(`p${i}.jpg`));
      const stamp = stamps[folder];
      if (stamp) stamped?.(stamp);
    },
    async currentStamp(path: StorePath) {
      return stamps[Number(path[0]!.slice(1))] ?? null;
    },
    async stat(path: StorePath) {
      return info(path.at(-1)!);
    },
  } as unknown as Store;
  const index = {
    options: { exclusive: true },
    generation: () => generation,
    folders: async () => [{ month: '2024-05', files: files.length, newestMtimeMs: 0, oldestCaptureMs: 0 }],
    filesIn: async () => [...files],
  } as unknown as MediaIndex;
  const view = new DateViewStore({ mount: 'main', index, files: real, settled: async () => {} });
  const list = async (): Promise<{ names: number; stamp: ListingStamp | null }> => {
    let stamp: ListingStamp | null = null;
    let names = 0;
    for await (const batch of view.list(MAY, (given) => (stamp = given))) names += batch.length;
    return { names, stamp };
  };
  return { view, stamps, list, changeIndex: () => (generation += 1) };
}

test('a month made of listings the real store vouched for is vouched for, as long as each of them is', async () => {
  const { view, stamps, list } = setup([20, 30]);
  const first = await list();
  assert.equal(first.names, 50);
  assert.ok(first.stamp);
  assert.equal(await view.currentStamp(MAY), first.stamp);
  assert.equal((await list()).stamp, first.stamp, 'the same listings again: the same stamp');

  stamps[1] = {}; // the second real folder changed
  assert.equal(await view.currentStamp(MAY), null);
  const second = await list();
  assert.ok(second.stamp && second.stamp !== first.stamp);
  assert.equal(await view.currentStamp(MAY), second.stamp);
});

test('no stamp when the index changed, a real folder was not vouched for, or files were looked at one by one', async () => {
  const changing = setup([20]);
  const { stamp } = await changing.list();
  assert.ok(stamp);
  changing.changeIndex();
  assert.equal(await changing.view.currentStamp(MAY), null, 'the index changed');

  const unvouched = setup([20, 20]);
  unvouched.stamps[0] = null;
  assert.equal((await unvouched.list()).stamp, null);
  assert.equal(await unvouched.view.currentStamp(MAY), null);

  const few = setup([20, 3]);
  const listed = await few.list();
  assert.equal(listed.names, 23);
  assert.equal(listed.stamp, null, 'three files of one folder are looked at one by one');
  assert.equal(await few.view.currentStamp(MAY), null);
});
