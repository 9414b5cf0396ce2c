/**
 * What the protocol handlers need of a storage backend. Paths are arrays of
 * already-decoded, already-validated names relative to the share's root
 * (store/names.ts); [] is the root itself. Failures are StoreErrors
 * (store/errors.ts): the store knows nothing of HTTP.
 *
 * Modelled on golang.org/x/net/webdav's FileSystem: handlers never touch `fs`,
 * so a test can swap in a store that fails on purpose, and another backend
 * touches nothing else.
 */
import type { Readable } from 'node:stream';

export type StorePath = readonly string[];

export interface ResourceInfo {
  /** The last path segment as stored ('' for the share root). */
  readonly name: string;
  readonly isCollection: boolean;
  readonly size: number;
  readonly modified: Date;
  readonly created: Date;
  /** A strong entity tag, quoted; changes whenever the content may have changed. */
  readonly etag: string;
}

export interface Quota {
  readonly availableBytes: number;
  readonly usedBytes: number;
}

export interface ByteSpan {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

/**
 * What is at a path a write is about to create or replace, found with one
 * look (Store.prepare): handlers decide on it (405 onto a collection, 409
 * without a parent, preconditions, locks) and hand it back to the write,
 * which then does not look again.
 */
export interface PreparedPath {
  readonly path: StorePath;
  /** What is there now; null when nothing is. */
  readonly existing: ResourceInfo | null;
  /** Whether the parent collection exists, so that a new resource can be made. */
  readonly parentIsCollection: boolean;
}

/**
 * A resource opened for reading (Store.open). `info` describes the very file
 * that was opened, and every byte comes from it: the length and ETag sent
 * belong to the bytes sent, even if a new version is renamed over the file
 * meanwhile, and all the spans of one answer come from the same version.
 *
 * The opener calls close() once it has made what it needs (on every path,
 * errors included); a stream made by stream() keeps the file open by itself
 * until it has ended or been destroyed. A collection opens too (its `info`),
 * with no bytes to read.
 */
/** Stands for one listing of a folder that a store vouches for (Store.list, Store.currentStamp); compared by identity. */
export type ListingStamp = object;

export interface OpenFile {
  readonly info: ResourceInfo;
  /**
   * The bytes of the file, or of one span, read at once into one buffer: for
   * small spans. With a consumer (as for stream()), a span that fits a
   * shared read buffer is read into one, which is used again once the
   * consumer is done: the caller hands the bytes to it and keeps no other
   * reference.
   */
  bytes(span?: ByteSpan, consumer?: ChunkConsumer): Promise<Buffer>;
  /**
   * The bytes of the file, or of one span, streamed. With a consumer that
   * says when it is done with the chunks, the stream reads into buffers that
   * are used again (store/read-buffers.ts) instead of a new one per read.
   * Only the stream piped straight into that consumer may be given it: a
   * stream in between could still hold a chunk the consumer never saw.
   */
  stream(span?: ByteSpan, consumer?: ChunkConsumer): Readable;
  /** Lets go of the file; calling it again does nothing. */
  close(): void;
}

/**
 * Where a file stream's chunks go, when it can tell that it is done with
 * them (an HTTP answer: once the kernel has its bytes). Only what it says
 * lets a buffer be read into again, so it must never say so early: a chunk
 * still queued would go out with the next read's bytes in it.
 */
export interface ChunkConsumer {
  /** Whether it is done with every chunk it was given so far: none queued, none being written. */
  doneWithAll(): boolean;
  /** Calls back once, when it is done with every chunk after the last one; never when it failed. */
  onceDoneWithAll(callback: () => void): void;
}

export interface Store {
  /** The resource, or null when nothing is there. */
  stat(path: StorePath): Promise<ResourceInfo | null>;
  /**
   * The children of a collection, in batches as they are read from disk.
   * `stamped` is called at the end when the store can vouch for this
   * listing (see currentStamp): it read the folder whole while nothing in
   * it changed.
   */
  list(path: StorePath, stamped?: (stamp: ListingStamp) => void): AsyncIterable<readonly ResourceInfo[]>;
  /**
   * The stamp of the last listing of `path` the store vouched for, as long
   * as listing the folder again would give exactly the same entries in the
   * same order; null otherwise. A store that cannot tell has no such method.
   */
  currentStamp?(path: StorePath): Promise<ListingStamp | null>;
  /** The resource opened for reading (see OpenFile), or null when nothing is there. */
  open(path: StorePath): Promise<OpenFile | null>;
  quota(): Promise<Quota>;

  /** One look at where a write would go (see PreparedPath). */
  prepare(path: StorePath): Promise<PreparedPath>;

  /**
   * Writes a file from a stream: into a temporary file beside the target,
   * flushed to disk, then renamed over the target, so an interrupted upload
   * never leaves a half file nor destroys the old one. Resolves once the
   * data and the rename are durable. `created` is false when a file was replaced.
   * `prepared` is this store's own answer to prepare(path), when the caller has it.
   * Throws 'parent-missing', 'exists' (a collection is there), 'no-space'.
   */
  write(
    path: StorePath,
    body: AsyncIterable<Uint8Array>,
    prepared?: PreparedPath,
  ): Promise<{ created: boolean; info: ResourceInfo }>;
  /** Throws 'exists' when something is there, 'parent-missing' when the parent is missing. */
  makeCollection(path: StorePath, prepared?: PreparedPath): Promise<void>;
  /** Removes one file, or one empty collection. Throws when it cannot. */
  removeOne(path: StorePath): Promise<void>;
  /**
   * Renames within this store, replacing a file at the target (never a
   * non-empty collection: callers remove it first). Answers 'cross-device'
   * and changes nothing when it cannot be done atomically; callers then copy.
   */
  rename(from: StorePath, to: StorePath): Promise<'renamed' | 'cross-device'>;
  /** Sets the modification time (clients send Win32LastModifiedTime). */
  setModified(path: StorePath, modified: Date): Promise<void>;
  /**
   * Stops what the store keeps running (file-system watchers) when it is
   * dropped. Calls still under way, and any made later, keep working.
   */
  close(): void;
}
