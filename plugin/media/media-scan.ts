/**
 * Brings a share's capture-date index up to date with its folder: the way
 * changes made outside WebDAV (another program writing the folder) reach
 * the index. Incremental: a file whose size and modification time match
 * its row is not read again, so a scan of an unchanged share costs one
 * walk of the tree and no file reads.
 *
 * A scan runs in the background and never holds up requests: the walk and
 * the reads are asynchronous, a few reads at a time, and rows are written
 * in batches. Symbolic links are not followed (they may lead out of the
 * share, or in circles); hidden files and the inbox are left out (the inbox
 * files what lands there, and indexes it where it lands).
 */
import type { Dirent, Stats } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../host-api.js';
import { describeFile, isIndexableName } from './media-files.js';
import { unchangedSince, type IndexedFile, type MediaIndex } from './media-index.js';
import { mediaKindOf } from './media-kinds.js';

/** Files read for their capture time at once. */
const READ_CONCURRENCY = 4;
const WRITE_BATCH = 200;
const PROGRESS_LOG_MS = 5000;

export interface ScanStatus {
  readonly scanning: boolean;
  /** Whether a scan has ever finished for this share since the plugin started. */
  readonly completed: boolean;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** Of the scan under way, or else of the last one. */
  readonly filesSeen: number;
  readonly filesRead: number;
  readonly filesRemoved: number;
  readonly lastError: string | null;
}

export interface ScanTarget {
  readonly mount: string;
  readonly root: string;
  /** Folders below the root the index leaves out (the inbox). */
  readonly excluded: readonly (readonly string[])[];
}

export class MediaScanner {
  private running: Promise<void> | null = null;
  private state: ScanStatus = {
    scanning: false,
    completed: false,
    startedAt: null,
    finishedAt: null,
    filesSeen: 0,
    filesRead: 0,
    filesRemoved: 0,
    lastError: null,
  };

  /** Told every folder a walk opens (folder-watch.ts starts watching it). */
  onFolder: ((folder: readonly string[]) => void) | null = null;

  constructor(
    private readonly index: MediaIndex,
    readonly target: ScanTarget,
    private readonly log: Logger,
  ) {}

  status(): ScanStatus {
    return this.state;
  }

  /** One scan; a call while one runs waits for that one. */
  scan(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  /** A scan that starts now: one under way may have walked past a change made since it began. */
  async scanAfresh(): Promise<void> {
    await this.running;
    await this.scan();
  }

  private async run(): Promise<void> {
    const { mount } = this.target;
    const startedAt = new Date();
    this.state = { ...this.state, scanning: true, startedAt, filesSeen: 0, filesRead: 0, filesRemoved: 0 };
    const first = !this.state.completed;
    let lastLog = Date.now();
    const progress = (): void => {
      if (Date.now() - lastLog < PROGRESS_LOG_MS) return;
      lastLog = Date.now();
      this.log.info(
        { mount, seen: this.state.filesSeen, read: this.state.filesRead },
        `WebDAV media index of "${mount}": ${this.state.filesSeen} files seen, ${this.state.filesRead} read`,
      );
    };
    try {
      const known = await this.index.stamps(mount);
      const unseen = new Set(known.keys());
      const pending: IndexedFile[] = [];
      const reads = new Set<Promise<void>>();
      const flush = async (): Promise<void> => {
        const batch = pending.splice(0);
        await this.index.put(mount, batch);
      };
      for await (const [path, stats] of this.walk()) {
        const key = path.map((name) => name.normalize('NFC')).join('/');
        unseen.delete(key);
        this.state = { ...this.state, filesSeen: this.state.filesSeen + 1 };
        if (unchangedSince(known.get(key), stats)) continue;
        const read = describeFile(this.target.root, path, stats).then((file) => {
          this.state = { ...this.state, filesRead: this.state.filesRead + 1 };
          if (file) pending.push(file);
        });
        reads.add(read);
        void read.finally(() => reads.delete(read));
        if (reads.size >= READ_CONCURRENCY) await Promise.race(reads);
        if (pending.length >= WRITE_BATCH) await flush();
        progress();
      }
      await Promise.all(reads);
      await flush();
      const gone = [...unseen].map((key) => key.split('/'));
      await this.index.removePaths(mount, gone);
      this.state = {
        ...this.state,
        scanning: false,
        completed: true,
        finishedAt: new Date(),
        filesRemoved: gone.length,
        lastError: null,
      };
      if (first || this.state.filesRead > 0 || gone.length > 0) {
        this.log.info(
          { mount, seen: this.state.filesSeen, read: this.state.filesRead, removed: gone.length },
          `WebDAV media index of "${mount}" is up to date: ${this.state.filesSeen} photos and videos, ` +
            `${this.state.filesRead} read, ${gone.length} gone (${Date.now() - startedAt.getTime()} ms)`,
        );
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.state = { ...this.state, scanning: false, finishedAt: new Date(), lastError: message };
      this.log.warn({ mount, err: error }, `WebDAV media index of "${mount}" could not be brought up to date`);
    }
  }

  /** Every photo and video below the root (or below `from`), with its lstat. */
  async *walk(from: readonly string[] = []): AsyncGenerator<[readonly string[], Stats]> {
    const folders: (readonly string[])[] = [from];
    for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
      if (this.excludes(folder)) continue;
      let entries: AsyncIterable<Dirent>;
      try {
        entries = await opendir(join(this.target.root, ...folder), { bufferSize: 128 });
      } catch (error) {
        // The share's folder itself missing (a disk not mounted) must not read as "every photo is gone".
        if (folder === from) throw error;
        continue; // Gone meanwhile, or not readable: nothing of it can be served either.
      }
      this.onFolder?.(folder);
      for await (const entry of entries) {
        if (!isIndexableName(entry.name)) continue;
        const path = [...folder, entry.name];
        if (entry.isDirectory()) folders.push(path);
        else if (entry.isFile() && mediaKindOf(entry.name) !== null) {
          try {
            yield [path, await lstat(join(this.target.root, ...path))];
          } catch {
            // Deleted while we walked.
          }
        }
      }
    }
  }

  /** Whether the path is an excluded folder or lies below one. */
  excludes(path: readonly string[]): boolean {
    return this.target.excluded.some(
      (out) => out.length <= path.length && out.every((name, i) => path[i]?.normalize('NFC') === name.normalize('NFC')),
    );
  }
}
