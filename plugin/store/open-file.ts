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
import type { ByteSpan, OpenFile, ResourceInfo } from './store.js';

/** Streams read this much at a time (the buffer is never larger than what is left to send). */
export const STREAM_READ_BYTES = 1024 * 1024;

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
  ) {}

  async bytes(span?: ByteSpan): Promise<Buffer> {
    const { start, length } = this.extent(span);
    const buffer = Buffer.allocUnsafe(length);
    if (length === 0) return buffer;
    this.hold();
    try {
      const read =
        this.onTheSpot?.allowed === true
          ? this.onTheSpot.run(() => readSync(this.fd, buffer, 0, length, start))
          : await readFully(this.fd, buffer, start);
      if (read !== length) throw shrunk();
      return buffer;
    } finally {
      this.letGo();
    }
  }

  stream(span?: ByteSpan): Readable {
    const { start, length } = this.extent(span);
    if (length === 0) return Readable.from([]);
    this.hold();
    const stream = new SpanStream(this.fd, start, length);
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
 * into a buffer no larger than what is left. Unlike fs.ReadStream it fails
 * when the file ends before the span does (a file cut shorter in place since
 * it was opened), so that an answer never looks complete with bytes missing.
 * 'close' comes only after a read under way has returned.
 */
class SpanStream extends Readable {
  private reading = false;
  private afterRead: (() => void) | null = null;

  constructor(
    private readonly fd: number,
    private position: number,
    private remaining: number,
  ) {
    super({ highWaterMark: STREAM_READ_BYTES });
  }

  override _read(): void {
    if (this.reading) return;
    this.reading = true;
    const buffer = Buffer.allocUnsafe(Math.min(STREAM_READ_BYTES, this.remaining));
    read(this.fd, buffer, 0, buffer.length, this.position, (error, count) => {
      this.reading = false;
      const after = this.afterRead;
      if (after) return after();
      if (error) return this.destroy(error);
      if (count === 0) return this.destroy(shrunk());
      this.position += count;
      this.remaining -= count;
      this.push(count === buffer.length ? buffer : buffer.subarray(0, count));
      if (this.remaining === 0) this.push(null);
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.reading) this.afterRead = () => callback(error);
    else callback(error);
  }
}

/** A collection: described, nothing to read, nothing held. */
export function collectionFile(info: ResourceInfo): FsOpenFile {
  return new FsOpenFile(-1, info);
}

const shrunk = (): StoreError => new StoreError('failed', 'The file became shorter while it was read');
