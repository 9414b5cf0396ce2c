/**
 * Writes an upload's body into an open (temporary) file, fast and with a
 * fixed memory bound:
 *
 * - chunks are gathered into batches of up to 1 MiB, each written with one
 *   writev, while the next batch arrives: at most one write is under way
 *   and at most two batches are held (about 2 MiB), and when the disk is
 *   slower than the network, the body is not read on (TCP backpressure);
 * - every 64 MiB an fdatasync starts (without waiting for it), so the disk
 *   writes while the data still arrives, instead of all of it in one long
 *   fsync after the last byte; the caller's final fsync has little left.
 *
 * Whatever happens (the body fails because the client went away, a write
 * fails because the disk is full), writeBody settles only once no write or
 * sync is under way on the descriptor, so the caller may close it at once
 * (a descriptor closed under a running write could already belong to
 * another file when the write happens).
 */
import { fdatasyncFd, writevFully } from './fs-calls.js';

export interface BodyWriterOptions {
  /** Bytes gathered before they are written (one writev). */
  readonly batchBytes?: number;
  /** An fdatasync starts after this many more bytes were written. */
  readonly syncEveryBytes?: number;
}

export const BATCH_BYTES = 1024 * 1024;
export const SYNC_EVERY_BYTES = 64 * 1024 * 1024;
/** Chunks per writev at most (IOV_MAX is 1024 on Linux): tiny chunks do not pile up either. */
const BATCH_CHUNKS = 1024;

/** Writes `body` at the start of the empty file `fd`; answers how many bytes were written. */
export async function writeBody(
  fd: number,
  body: AsyncIterable<Uint8Array>,
  options: BodyWriterOptions = {},
): Promise<number> {
  const batchBytes = options.batchBytes ?? BATCH_BYTES;
  const syncEvery = options.syncEveryBytes ?? SYNC_EVERY_BYTES;
  let batch: Uint8Array[] = [];
  let gathered = 0;
  let position = 0;
  let syncedUpTo = 0;
  let writing: Promise<void> | null = null;
  let syncing: Promise<void> | null = null;
  /** Failures of writes or syncs under way; the first is thrown at the next chance. */
  const failures: unknown[] = [];
  const noteFailure = (error: unknown) => {
    failures.push(error);
  };

  const flush = async (): Promise<void> => {
    if (writing) await writing;
    if (failures.length > 0) throw failures[0];
    if (gathered === 0) return;
    const chunks = batch;
    const at = position;
    const end = at + gathered;
    position = end;
    batch = [];
    gathered = 0;
    writing = writevFully(fd, chunks, at).then(() => {
      writing = null;
      if (syncing === null && end - syncedUpTo >= syncEvery) startSync(end);
    }, noteFailure);
  };
  const startSync = (upTo: number): void => {
    syncing = fdatasyncFd(fd).then(() => {
      syncing = null;
      syncedUpTo = upTo;
    }, noteFailure);
  };

  try {
    for await (const chunk of body) {
      if (chunk.length === 0) continue;
      batch.push(chunk);
      gathered += chunk.length;
      if (gathered >= batchBytes || batch.length >= BATCH_CHUNKS) await flush();
    }
    await flush();
    if (writing) await writing;
  } finally {
    // Nothing may still be running on the descriptor when the caller closes it.
    await writing;
    await syncing;
  }
  if (failures.length > 0) throw failures[0];
  return position;
}
