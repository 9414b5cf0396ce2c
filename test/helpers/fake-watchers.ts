/**
 * Folder watchers a test controls, for the store's caches
 * (plugin/store/folder-cache.ts): the test fires their events, makes them
 * fail, refuses new ones, and sees which are still open. Nothing fires on
 * its own, so a change made on disk stays unseen until the test says so.
 */
import assert from 'node:assert/strict';
import type { WatchFolder } from '../../plugin/store/folder-cache.js';

export class FakeWatchers {
  readonly open = new Map<string, { fire(event: string, name: string | null): void; fail(): void }>();
  refuse = false;

  readonly watch: WatchFolder = (folder, listener) => {
    if (this.refuse) throw Object.assign(new Error('no more watches'), { code: 'ENOSPC' });
    let onError = (_error: Error) => {};
    const watcher = {
      close: () => this.open.delete(folder),
      on: (_event: 'error', listener: (error: Error) => void) => (onError = listener),
    };
    this.open.set(folder, {
      fire: (event, name) => listener(event, name),
      fail: () => onError(new Error('watch failed')),
    });
    return watcher;
  };

  fire(folder: string, event: string, name: string | null): void {
    const watcher = this.open.get(folder);
    assert.ok(watcher, `${folder} is watched`);
    watcher.fire(event, name);
  }
}
