/**
 * What the tree walks (removal.ts, transfer.ts) report: one entry per
 * resource that could not be removed, copied or moved, with the status a
 * client can act on (dav/storage-status.ts decides it).
 */
import type { StorePath } from '../../store/store.js';
import { statusOfFailure } from '../storage-status.js';

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
export const MAX_ROUNDS = 3;

/** An error that happened while reading the source of a copy, not while writing its destination. */
export class SourceError extends Error {
  constructor(cause: unknown) {
    super('The source could not be read', { cause });
  }
}

/** An error turned into the status a client can act on, keeping the original for the log. */
export interface StatusError {
  readonly status: number;
  readonly message: string;
  readonly side: 'source' | 'destination';
  readonly cause: unknown;
}

/** Runs `action`; null when it succeeded, else what went wrong as a status. */
export async function attempt(action: () => Promise<unknown>): Promise<StatusError | null> {
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
  const { status, message } = statusOfFailure(inner);
  return { status, message, side, cause: inner };
}
