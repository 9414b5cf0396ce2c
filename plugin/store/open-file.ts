/**
 * A file opened for reading (Store.open): its description was taken from
 * the descriptor itself (fstat), and every byte is read from that same
 * descriptor, so the length and ETag sent always belong to the bytes sent,
 * even when an upload renames a new version over the file meanwhile.
 *
 * The descriptor is closed once nobody needs it: the opener's close(), and
 * every stream made from it (each holds the file until it has closed, which
 * Node delays until its last read returned). So a descriptor is never closed
 * under a read still running in the thread pool (its number could already
 * belong to another file), and never left open: a stream that ends, fails or
 * is destroyed (the client went away) lets go of it.
 */
import { read, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { StoreError } from './errors.js';
import { closeNow, readFully } from './fs-calls.js';
import type { OnTheSpot } from './on-the-spot.js';
import { READ_BUFFER_BYTES, sharedReadBuffers, type ReadBuffers } from './read-buffers.js';
import type { ByteSpan, ChunkConsumer, OpenFile, ResourceInfo } from './store.js';

/** Streams read this much at a time. */
export const STREAM_READ_BYTES = READ_BUFFER_BYTES;

export class FsOpenFile implements OpenFile {
  /** The opener's hold and one per stream; the descriptor closes when none is left. */
  private holds = 1;
  private released = false;

  constructor(
    private readonly fd: number,
    readonly info: ResourceInfo,
    /** Whether the descriptor may be closed on the spot (a small file on a local disk; see FsStore). */
    private readonly closeAtOnce = false,
    /** Where whole small reads may be done on the main thread (store/on-the-spot.ts); null: always the pool. */
    private readonly onTheSpot: OnTheSpot | null = null,
    /** Instead of closing: the descriptor belongs to someone else (store/kept-descriptors.ts), this gives it back. */
    private readonly giveBack: (() => void) | null = null,
    /** What streams with a consumer read into. */
    private readonly readBuffers: ReadBuffers = sharedReadBuffers,
  ) {}

  async bytes(span?: ByteSpan, consumer?: ChunkConsumer): Promise<Buffer> {
    const { start, length } = this.extent(span);
    const shared = consumer && length > 0 && length <= this.readBuffers.size ? this.readBuffers.take() : null;
    const buffer = shared ? shared.subarray(0, length) : Buffer.allocUnsafe(length);
    if (length === 0) return buffer;
    this.hold();
    try {
      const read =
        this.onTheSpot?.allowed === true
          ? this.onTheSpot.run(() => readSync(this.fd, buffer, 0, length, start))
          : await readFully(this.fd, buffer, start);
      if (read !== length) throw shrunk();
    } catch (error) {
      // No read is under way any more and nobody was given the bytes.
      if (shared) this.readBuffers.giveBack(shared);
      throw error;
    } finally {
      this.letGo();
    }
    if (shared) consumer!.onceDoneWithAll(() => this.readBuffers.giveBack(shared));
    return buffer;
  }

  stream(span?: ByteSpan, consumer?: ChunkConsumer): Readable {
    const { start, length } = this.extent(span);
    if (length === 0) return Readable.from([]);
    this.hold();
    const reuse = consumer ? { buffers: this.readBuffers, consumer } : null;
    const stream = new SpanStream(this.fd, start, length, reuse);
    stream.once('close', () => this.letGo());
    return stream;
  }

  close(): void {
    if (this.released) return;
    this.released = true;
    this.letGo();
  }

  private extent(span?: ByteSpan): { start: number; length: number } {
    if (this.released) throw new StoreError('failed', 'The file was already closed');
    if (this.info.isCollection) throw new StoreError('wrong-kind', 'A collection has no bytes to read');
    return span ? { start: span.start, length: span.end - span.start + 1 } : { start: 0, length: this.info.size };
  }

  private hold(): void {
    this.holds += 1;
  }

  private letGo(): void {
    this.holds -= 1;
    if (this.holds > 0 || this.fd < 0) return;
    if (this.giveBack) this.giveBack();
    else closeNow(this.fd, this.closeAtOnce);
  }
}

/**
 * Reads one span of a descriptor with positional reads of up to 1 MiB, each
 * into a buffer no larger than what is left (or into a shared one, below). Unlike fs.ReadStream it fails
 * when the file ends before the span does (a file cut shorter in place since
 * it was opened), so that an answer never looks complete with bytes missing.
 * 'close' comes only after a read under way has returned.
 *
 * With `reuse`, reads go into shared buffers instead, and a buffer goes back
 * only once the consumer says it is done with every chunk handed to it: at
 * a later read (chunks still waiting in this stream stay lent), or when the
 * consumer has finished after the stream ended. A stream destroyed early
 * (the client went away) gives back only the buffer no chunk was made of;
 * the others are left to the garbage collector, since a write may still
 * hold them.
 */
class SpanStream extends Readable {
  private reading = false;
  private afterRead: (() => void) | null = null;
  /** Shared buffers whose bytes were pushed and may still be in use, with how many bytes, oldest first. */
  private lent: { buffer: Buffer; bytes: number }[] = [];

  constructor(
    private readonly fd: number,
    private position: number,
    private remaining: number,
    private readonly reuse: { buffers: ReadBuffers; consumer: ChunkConsumer } | null,
  ) {
    // One chunk waits at most: a chunk waiting here keeps every buffer lent.
    super({ highWaterMark: reuse?.buffers.size ?? STREAM_READ_BYTES });
    reuse?.consumer.onceDoneWithAll(() => {
      if (this.readableEnded) this.takeBackGiven();
    });
  }

  override _read(): void {
    if (this.reading) return;
    this.reading = true;
    if (this.reuse?.consumer.doneWithAll()) this.takeBackGiven();
    const shared = this.reuse?.buffers.take() ?? null;
    const length = Math.min(shared?.length ?? STREAM_READ_BYTES, this.remaining);
    const buffer = shared ?? Buffer.allocUnsafe(length);
    read(this.fd, buffer, 0, length, this.position, (error, count) => {
      this.reading = false;
      const after = this.afterRead;
      if (after || error || count === 0) {
        if (shared) this.reuse!.buffers.giveBack(shared);
        if (after) return after();
        return this.destroy(error ?? shrunk());
      }
      this.position += count;
      this.remaining -= count;
      if (shared) this.lent.push({ buffer: shared, bytes: count });
      this.push(count === buffer.length ? buffer : buffer.subarray(0, count));
      if (this.remaining === 0) this.push(null);
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.reading) this.afterRead = () => callback(error);
    else callback(error);
  }

  /**
   * Takes back the buffers of the chunks given to the consumer: all but the
   * newest ones whose bytes still wait in this stream (readableLength; even
   * the chunk that read() is about to hand out is counted there while it
   * calls _read).
   */
  private takeBackGiven(): void {
    let waiting = this.readableLength;
    let given = this.lent.length;
    while (given > 0 && waiting > 0) waiting -= this.lent[--given]!.bytes;
    for (const { buffer } of this.lent.splice(0, given)) this.reuse!.buffers.giveBack(buffer);
  }
}

/** A collection: described, nothing to read, nothing held. */
export function collectionFile(info: ResourceInfo): FsOpenFile {
  return new FsOpenFile(-1, info);
}

const shrunk = (): StoreError => new StoreError('failed', 'The file became shorter while it was read');
