/**
 * The store's own error: what went wrong, in the store's words. The protocol
 * layer maps each kind to an HTTP status in one place (dav/storage-status.ts);
 * the store knows nothing of HTTP.
 */

export type StoreErrorKind =
  /** Nothing at the path. */
  | 'not-found'
  /** A new resource's parent collection is missing (or vanished while writing). */
  | 'parent-missing'
  /** Something already exists where a new resource was to be made. */
  | 'exists'
  /** A collection that still has members. */
  | 'not-empty'
  /** A file where a collection is needed, or the other way round. */
  | 'wrong-kind'
  /** The share root cannot be removed, moved or replaced. */
  | 'share-root'
  /** The path leads outside the share (a symbolic link). */
  | 'outside-share'
  /** A name reserved for the store's own temporary files. */
  | 'reserved-name'
  /** The file system refuses the server (permissions, read-only mount). */
  | 'denied'
  /** The disk or the quota is full. */
  | 'no-space'
  /** The name is longer than the file system allows. */
  | 'name-too-long'
  /** Anything else: an I/O error, a vanished file right after writing it. */
  | 'failed';

export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * A file-system error as a StoreError; anything else unchanged. ENOENT means
 * "not found" when reading a path, but "a folder on the way vanished" when
 * writing into one: the caller says which.
 */
export function storeErrorOf(error: unknown, whenMissing: 'not-found' | 'parent-missing' = 'not-found'): unknown {
  if (error instanceof StoreError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const fail = (kind: StoreErrorKind, message: string) => new StoreError(kind, message, { cause: error });
  switch (code) {
    case 'ENOENT':
      return whenMissing === 'not-found'
        ? fail('not-found', 'It disappeared meanwhile')
        : fail('parent-missing', 'A folder on the way disappeared');
    case 'ENOSPC':
    case 'EDQUOT':
      return fail('no-space', 'Insufficient storage: the disk is full');
    // rmdir of a folder with members answers either, depending on the system.
    case 'ENOTEMPTY':
    case 'EEXIST':
      return fail('not-empty', 'The folder is not empty');
    case 'EISDIR':
    case 'ENOTDIR':
      return fail('wrong-kind', "A file and a folder stand in each other's way");
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return fail('denied', 'The server may not change this file');
    case 'ENAMETOOLONG':
      return fail('name-too-long', 'The name is too long for the disk');
    default:
      return error;
  }
}
