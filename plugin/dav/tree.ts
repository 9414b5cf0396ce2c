/**
 * Walking whole trees for DELETE, COPY and MOVE (RFC 4918 §9.6, §9.8, §9.9):
 * removing a tree children first, copying a tree from one store to another
 * (optionally removing each source once its copy is safe), and collecting
 * what could not be done, resource by resource, for a 207 Multi-Status.
 *
 * What every walk guarantees:
 * - a collection is removed only after everything in it was removed: "If any
 *   resource identified by a member URL cannot be deleted, then none of the
 *   member's ancestors can be deleted" (§9.6.1);
 * - a MOVE that has to copy removes a source only once its copy is complete,
 *   so a failure half way never loses data;
 * - failures name one resource each; their ancestors are not reported again,
 *   since the RFC says 424 Failed Dependency "SHOULD NOT" appear in these
 *   answers (§9.6.1, §9.8.3, §9.9.2): the client infers them.
 *
 * Memory stays bounded by the depth of the tree and one batch of a listing:
 * folders are processed batch by batch as the store lists them.
 *
 * Dead properties are not touched here: the walks report which subtrees
 * went away or came out incomplete, and the caller adjusts the property
 * store with a few tree-wide operations, not one query per file.
 */
import type { Context } from 'koa';
import type { Logger } from '../host-api.js';
import type { DeadPropertyStore } from '../props/dead-properties.js';
import type { ResourceInfo, Store, StorePath } from '../store/store.js';
import { shareHref } from './context.js';
import { DavError } from './errors.js';
import { ResponseSink } from './response-sink.js';
import { MultistatusWriter } from './xml/writer.js';
import type { DavServices } from './context.js';

/** A resource in a share: which store holds it, under which mount it is named. */
export interface Place {
  readonly store: Store;
  readonly mount: string;
  readonly path: StorePath;
}

/** One resource that could not be removed, copied or moved. */
export interface Failure {
  readonly mount: string;
  readonly path: StorePath;
  readonly isCollection: boolean;
  readonly status: number;
  readonly description: string;
}

/**
 * How often a folder is listed again when it still is not empty although
 * nothing in it failed: entries removed while a directory is being read may
 * make the reader skip others (POSIX leaves it unspecified), and another
 * client may add files meanwhile.
 */
const MAX_ROUNDS = 3;

/* ------------------------------------------------------------------ removal */

export interface Removal {
  /** Whether the resource itself (and so everything below it) is gone. */
  readonly complete: boolean;
  readonly failures: readonly Failure[];
  /** The largest subtrees that are entirely gone (the resource itself when complete). */
  readonly removedRoots: readonly StorePath[];
}

/** Removes a resource and, for a collection, everything below it, children first. */
export async function removeTree(place: Place, info: ResourceInfo, log: Logger): Promise<Removal> {
  const remover = new Remover(place.store, place.mount, log);
  const complete = await remover.remove(place.path, info.isCollection);
  return {
    complete,
    failures: remover.failures,
    removedRoots: complete ? [place.path] : remover.removedRoots,
  };
}

class Remover {
  readonly failures: Failure[] = [];
  readonly removedRoots: StorePath[] = [];

  constructor(
    private readonly store: Store,
    private readonly mount: string,
    private readonly log: Logger,
  ) {}

  /** True when the resource is gone. */
  async remove(path: StorePath, isCollection: boolean): Promise<boolean> {
    // A collection is first tried as it is: an empty folder goes at once, and
    // a symbolic link to a folder is removed as the link, never by emptying
    // the folder it points to.
    const first = await attempt(() => this.store.removeOne(path));
    if (first === null) return true;
    if (!isCollection || first.status !== 409) {
      this.fail(path, isCollection, first);
      return false;
    }
    return this.removeCollection(path);
  }

  private async removeCollection(path: StorePath): Promise<boolean> {
    const failedNames = new Set<string>();
    const removedChildren: StorePath[] = [];
    for (let round = 1; ; round++) {
      let progress = false;
      const listed = await attempt(async () => {
        for await (const batch of this.store.list(path)) {
          for (const child of batch) {
            if (failedNames.has(child.name)) continue;
            const childPath = [...path, child.name];
            if (await this.remove(childPath, child.isCollection)) {
              removedChildren.push(childPath);
              progress = true;
            } else {
              failedNames.add(child.name);
            }
          }
        }
      });
      if (listed !== null) {
        this.fail(path, true, listed);
        this.removedRoots.push(...removedChildren);
        return false;
      }
      // A member is still there, so this folder must stay (§9.6.1); the
      // member's failure is what the client is told about.
      if (failedNames.size > 0) {
        this.removedRoots.push(...removedChildren);
        return false;
      }
      const last = await attempt(() => this.store.removeOne(path));
      if (last === null) return true;
      if (!progress || round === MAX_ROUNDS || last.status !== 409) {
        this.fail(path, true, last);
        this.removedRoots.push(...removedChildren);
        return false;
      }
    }
  }

  private fail(path: StorePath, isCollection: boolean, error: StatusError): void {
    if (error.status >= 500) this.log.warn({ mount: this.mount, path: path.join('/'), err: error.cause }, 'WebDAV: could not remove');
    this.failures.push({ mount: this.mount, path, isCollection, status: error.status, description: error.message });
  }
}

/* ----------------------------------------------------------- copy and move */

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
export async function transferTree(from: Place, to: Place, info: ResourceInfo, options: TransferOptions): Promise<Transfer> {
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
    return isCollection
      ? this.transferCollection(source, destination, top)
      : this.transferFile(source, destination);
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
  private failAt(side: 'source' | 'destination', source: StorePath, destination: StorePath, isCollection: boolean, error: StatusError): void {
    const place = side === 'source' ? { mount: this.from.mount, path: source } : { mount: this.to.mount, path: destination };
    if (error.status >= 500) {
      this.options.log.warn({ mount: place.mount, path: place.path.join('/'), err: error.cause }, `WebDAV: could not ${this.options.removeSource ? 'move' : 'copy'}`);
    }
    this.failures.push({ ...place, isCollection, status: error.status, description: error.message });
  }
}

/** An error that happened while reading the source of a copy, not while writing its destination. */
class SourceError extends Error {
  constructor(cause: unknown) {
    super('The source could not be read', { cause });
  }
}

/** Streams one file from a store into another (or the same); never buffered whole. */
async function copyFile(fromStore: Store, from: StorePath, toStore: Store, to: StorePath): Promise<void> {
  const readable = await fromStore.read(from).catch((error: unknown) => {
    throw new SourceError(error);
  });
  try {
    await toStore.write(to, sourceChunks(readable));
  } finally {
    // When the destination refused before reading, the file is still open.
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

/* ------------------------------------------------ dead properties and locks */

/** What follows resources around: their dead properties, and the locks rooted on them. */
export type Followers = Pick<DavServices, 'deadProperties' | 'locks'>;

/**
 * Brings dead properties and locks in line with what a transfer did, with
 * tree-wide operations: a complete MOVE moves the properties all at once and
 * drops the locks rooted at either end (RFC 4918 §7.6: "A successful MOVE
 * request on a write locked resource MUST NOT move the write lock with the
 * resource"); otherwise the source's properties are copied over, the
 * destination's gaps cleared, and the sources that are gone lose theirs and
 * their locks. COPY never copies locks.
 */
export async function followTransfer(followers: Followers, from: Place, to: Place, transfer: Transfer, moving: boolean): Promise<void> {
  const { deadProperties: properties, locks } = followers;
  const source = { mount: from.mount, path: from.path };
  const destination = { mount: to.mount, path: to.path };
  if (moving && transfer.complete) {
    await properties?.moveTree(source, destination);
    await locks?.moved(from.mount, from.path, to.mount, to.path);
    return;
  }
  await properties?.copyTree(source, destination);
  for (const gap of transfer.gaps) await properties?.removeTree({ mount: to.mount, path: gap });
  for (const root of transfer.removedRoots) {
    await properties?.removeTree({ mount: from.mount, path: root });
    await locks?.removed(from.mount, root);
  }
}

/** Copies only the resource's own dead properties (COPY with `Depth: 0` of a collection). */
export async function copyOwnProperties(properties: DeadPropertyStore | undefined, from: Place, to: Place): Promise<void> {
  if (!properties) return;
  const own = await properties.get({ mount: from.mount, path: from.path });
  await properties.removeTree({ mount: to.mount, path: to.path });
  if (own.length > 0) await properties.patch({ mount: to.mount, path: to.path }, own.map((prop) => ({ set: prop })));
}

/**
 * Removes the dead properties and the locks of whatever a removal took away:
 * "A server processing a successful DELETE request … MUST destroy locks
 * rooted on the deleted resource" (RFC 4918 §9.6).
 */
export async function followRemoval(followers: Followers, mount: string, removal: Removal): Promise<void> {
  for (const root of removal.removedRoots) {
    await followers.deadProperties?.removeTree({ mount, path: root });
    await followers.locks?.removed(mount, root);
  }
}

/* ------------------------------------------------------------------ answers */

/** A success without a body (201 Created, 204 No Content): koa would otherwise write the reason phrase. */
export function answerEmpty(ctx: Context, status: 201 | 204): void {
  ctx.body = null;
  ctx.status = status;
}

/** A 207 Multi-Status naming each resource that failed, with its status (§13). */
export async function answerFailures(ctx: Context, failures: readonly Failure[]): Promise<void> {
  const sink = new ResponseSink();
  const writer = new MultistatusWriter(sink);
  await writer.begin();
  for (const failure of failures) {
    await writer.statusResponse(shareHref(failure.mount, failure.path, failure.isCollection), failure.status, {
      description: failure.description,
    });
  }
  await writer.end();
  await sink.close();
  ctx.status = 207;
  ctx.type = 'application/xml; charset=utf-8';
  ctx.body = sink.stream;
}

/* ------------------------------------------------------------------ errors */

/** An error turned into the status a client can act on, keeping the original for the log. */
interface StatusError {
  readonly status: number;
  readonly message: string;
  readonly side: 'source' | 'destination';
  readonly cause: unknown;
}

/** Runs `action`; null when it succeeded, else what went wrong as a status. */
async function attempt(action: () => Promise<unknown>): Promise<StatusError | null> {
  try {
    await action();
    return null;
  } catch (error) {
    return statusErrorOf(error);
  }
}

function statusErrorOf(error: unknown): StatusError {
  const side = error instanceof SourceError ? 'source' : 'destination';
  const inner = error instanceof SourceError ? error.cause : error;
  if (inner instanceof DavError) return { status: inner.status, message: inner.message, side, cause: inner };
  // A raw file-system message names the server path, which clients never see (DESIGN §6).
  const known = STATUS_OF_CODE[(inner as NodeJS.ErrnoException | undefined)?.code ?? ''];
  return known ? { ...known, side, cause: inner } : { status: 500, message: 'Internal server error', side, cause: inner };
}

/** File-system errors a store left untranslated (listings, reads), as the store would answer them. */
const STATUS_OF_CODE: Readonly<Record<string, { status: number; message: string }>> = {
  ENOENT: { status: 404, message: 'It disappeared meanwhile' },
  EACCES: { status: 403, message: 'The server may not access this file' },
  EPERM: { status: 403, message: 'The server may not access this file' },
  EROFS: { status: 403, message: 'The server may not access this file' },
  ENOSPC: { status: 507, message: 'Insufficient storage: the disk is full' },
  EDQUOT: { status: 507, message: 'Insufficient storage: the disk is full' },
  ENOTEMPTY: { status: 409, message: 'The folder is not empty' },
  EEXIST: { status: 409, message: 'Something is in the way' },
  ENOTDIR: { status: 409, message: 'A file and a folder stand in each other\'s way' },
  EISDIR: { status: 409, message: 'A file and a folder stand in each other\'s way' },
};
