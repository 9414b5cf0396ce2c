/**
 * Copying a tree from one store to another (or the same) for COPY and MOVE
 * (RFC 4918 §9.8, §9.9), optionally removing each source once its copy is
 * safe: a MOVE that has to copy removes a source only once its copy is
 * complete, so a failure half way never loses data. File contents are
 * streamed, never buffered whole.
 */
import type { Readable } from 'node:stream';
import { StoreError } from '../../store/errors.js';
import type { ResourceInfo, Store, StorePath } from '../../store/store.js';
import type { Logger } from '../../host-api.js';
import { MAX_ROUNDS, SourceError, attempt, type Failure, type StatusError } from './failures.js';
import type { Place } from './removal.js';

export interface TransferOptions {
  /** 0 copies a collection without its members (COPY with `Depth: 0`, §9.8.3). */
  readonly depth: 0 | 'infinity';
  /** Remove each source once its copy is complete (MOVE by copying). */
  readonly removeSource: boolean;
  readonly log: Logger;
}

export interface Transfer {
  /** Every resource arrived (and, when moving, every source is gone). */
  readonly complete: boolean;
  readonly failures: readonly Failure[];
  /**
   * Destinations that were not created: a file whose copy failed, a
   * collection that could not be made (and so nothing below it). Members of
   * a collection that could not be listed are unknown, so not here; their
   * copied properties name no resource, and whatever is created there later
   * starts with none (PUT, MKCOL, COPY and MOVE clear them).
   */
  readonly gaps: readonly StorePath[];
  /** When moving: the largest source subtrees that are entirely gone. */
  readonly removedRoots: readonly StorePath[];
}

/**
 * Copies `from` to `to`, streaming file contents and recreating
 * collections. `to` must not exist, or be a file when `from` is one (the
 * store replaces it atomically); callers delete anything else first (§9.8.4).
 * With `removeSource`, each file is removed right after its copy is
 * complete, and each collection after all of its members were moved.
 */
export async function transferTree(
  from: Place,
  to: Place,
  info: ResourceInfo,
  options: TransferOptions,
): Promise<Transfer> {
  const copier = new Copier(from, to, options);
  const complete = await copier.transfer(from.path, to.path, info.isCollection, true);
  return {
    complete,
    failures: copier.failures,
    gaps: copier.gaps,
    removedRoots: options.removeSource && complete ? [from.path] : copier.removedRoots,
  };
}

class Copier {
  readonly failures: Failure[] = [];
  readonly gaps: StorePath[] = [];
  readonly removedRoots: StorePath[] = [];

  constructor(
    private readonly from: Place,
    private readonly to: Place,
    private readonly options: TransferOptions,
  ) {}

  /** True when the resource was copied completely (and, when moving, its source is gone). */
  async transfer(source: StorePath, destination: StorePath, isCollection: boolean, top: boolean): Promise<boolean> {
    return isCollection ? this.transferCollection(source, destination, top) : this.transferFile(source, destination);
  }

  private async transferFile(source: StorePath, destination: StorePath): Promise<boolean> {
    const copied = await attempt(() => copyFile(this.from.store, source, this.to.store, destination));
    if (copied !== null) {
      this.failAt(copied.side, source, destination, false, copied);
      this.gaps.push(destination);
      return false;
    }
    if (!this.options.removeSource) return true;
    const removed = await attempt(() => this.from.store.removeOne(source));
    if (removed === null) return true;
    // The copy is there and the source is still there: nothing lost.
    this.failAt('source', source, destination, false, removed);
    return false;
  }

  private async transferCollection(source: StorePath, destination: StorePath, top: boolean): Promise<boolean> {
    const made = await attempt(() => this.to.store.makeCollection(destination));
    if (made !== null) {
      this.failAt('destination', source, destination, true, made);
      this.gaps.push(destination);
      return false;
    }
    // Depth 0 concerns only the collection the request names.
    if (top && this.options.depth === 0) return true;

    const failedNames = new Set<string>();
    const doneChildren: StorePath[] = [];
    const rounds = this.options.removeSource ? MAX_ROUNDS : 1;
    for (let round = 1; ; round++) {
      let progress = false;
      const listed = await attempt(async () => {
        for await (const batch of this.from.store.list(source)) {
          for (const child of batch) {
            if (failedNames.has(child.name)) continue;
            const childSource = [...source, child.name];
            if (await this.transfer(childSource, [...destination, child.name], child.isCollection, false)) {
              doneChildren.push(childSource);
              progress = true;
            } else {
              failedNames.add(child.name);
            }
          }
        }
      });
      if (listed !== null) {
        this.failAt('source', source, destination, true, listed);
        this.keepRemoved(doneChildren);
        return false;
      }
      if (failedNames.size > 0) {
        this.keepRemoved(doneChildren);
        return false;
      }
      if (!this.options.removeSource) return true;
      const removed = await attempt(() => this.from.store.removeOne(source));
      if (removed === null) return true;
      if (!progress || round >= rounds || removed.status !== 409) {
        this.failAt('source', source, destination, true, removed);
        this.keepRemoved(doneChildren);
        return false;
      }
    }
  }

  /** Members moved out of a folder that itself stays are removed roots of their own. */
  private keepRemoved(children: readonly StorePath[]): void {
    if (this.options.removeSource) this.removedRoots.push(...children);
  }

  /**
   * §9.9.4: "Specific error messages, together with the most appropriate of
   * the source and destination URLs, appear in the body": a resource that
   * could not be read or removed is named by its source URL, one that could
   * not be written by its destination URL.
   */
  private failAt(
    side: 'source' | 'destination',
    source: StorePath,
    destination: StorePath,
    isCollection: boolean,
    error: StatusError,
  ): void {
    const place =
      side === 'source' ? { mount: this.from.mount, path: source } : { mount: this.to.mount, path: destination };
    if (error.status >= 500) {
      this.options.log.warn(
        { mount: place.mount, path: place.path.join('/'), err: error.cause },
        `WebDAV: could not ${this.options.removeSource ? 'move' : 'copy'}`,
      );
    }
    this.failures.push({ ...place, isCollection, status: error.status, description: error.message });
  }
}

/** Streams one file from a store into another (or the same); never buffered whole. */
async function copyFile(fromStore: Store, from: StorePath, toStore: Store, to: StorePath): Promise<void> {
  const file = await fromStore.open(from).catch((error: unknown) => {
    throw new SourceError(error);
  });
  if (!file || file.info.isCollection) {
    file?.close();
    throw new SourceError(new StoreError('not-found', 'Not found'));
  }
  let readable: Readable;
  try {
    readable = file.stream();
  } catch (error) {
    throw new SourceError(error);
  } finally {
    // The stream holds the file for as long as it reads.
    file.close();
  }
  try {
    await toStore.write(to, sourceChunks(readable));
  } finally {
    // When the destination refused before reading, the stream still holds the file.
    readable.destroy();
  }
}

/** Tags read errors so that the failure names the source, not the destination. */
async function* sourceChunks(readable: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of readable) yield chunk;
  } catch (error) {
    throw new SourceError(error);
  }
}
