/**
 * Watches the folders of an indexed share, so that a change made outside
 * WebDAV (another program writing the folder) reaches the capture-date
 * index within a second instead of at the next scan.
 *
 * One watch per folder, as the scan finds them: not Node's recursive watch,
 * which on Linux takes one inotify watch per file and stats every file
 * synchronously when it starts (seconds of a blocked server, and the
 * system's watch limit, on a library of 100,000 photos). Used only where it
 * is reliable: on a local disk (store/local-disk.ts; a network share raises
 * no event for a change made on another machine) and up to MAX_FOLDERS
 * folders (the watch limit is shared with every program of the user).
 * Beyond that, and whatever a watch misses, the scan still finds.
 */
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../host-api.js';

const MAX_FOLDERS = 10_000;
/** Changes heard within this time are looked at together. */
const SETTLE_MS = 300;

export class FolderWatch {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly heard = new Map<string, readonly string[]>();
  private timer: NodeJS.Timeout | null = null;
  private full = false;
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly mount: string,
    /** Told the paths (below the root) where something changed: a file, or a folder whose members changed. */
    private readonly changed: (paths: readonly (readonly string[])[]) => void,
    private readonly log: Logger,
    private readonly maxFolders = MAX_FOLDERS,
  ) {}

  /** Starts watching a folder (below the root) unless it is watched already. */
  watch(folder: readonly string[]): void {
    const key = folder.join('/');
    if (this.closed || this.watchers.has(key)) return;
    if (this.watchers.size >= this.maxFolders) {
      if (!this.full)
        this.log.info(
          { mount: this.mount, folders: this.maxFolders },
          `WebDAV media index of "${this.mount}": more than ${this.maxFolders} folders, the rest is only scanned`,
        );
      this.full = true;
      return;
    }
    try {
      const watcher = watch(join(this.root, ...folder), { persistent: false }, (_event, name) =>
        this.hear(name ? [...folder, name.toString()] : folder),
      );
      watcher.on('error', () => this.unwatch(key));
      this.watchers.set(key, watcher);
    } catch (error) {
      // ENOSPC: the system's watch limit is reached; ENOENT: gone meanwhile.
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC' && !this.full) {
        this.full = true;
        this.log.warn(
          { mount: this.mount },
          `WebDAV media index of "${this.mount}": the system's limit of file watches is reached, the rest is only scanned`,
        );
      }
    }
  }

  /** Stops watching a folder and every folder below it (it was removed or moved away). */
  unwatchUnder(path: readonly string[]): void {
    const key = path.join('/');
    for (const watched of [...this.watchers.keys()]) {
      if (watched === key || key === '' || watched.startsWith(`${key}/`)) this.unwatch(watched);
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const key of [...this.watchers.keys()]) this.unwatch(key);
  }

  private unwatch(key: string): void {
    this.watchers.get(key)?.close();
    this.watchers.delete(key);
  }

  private hear(path: readonly string[]): void {
    if (this.closed) return;
    this.heard.set(path.join('/'), path);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      const paths = [...this.heard.values()];
      this.heard.clear();
      this.changed(paths);
    }, SETTLE_MS);
  }
}
