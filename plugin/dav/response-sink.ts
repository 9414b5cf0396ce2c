/**
 * A response body written piece by piece while it is produced.
 *
 * Most answers are small (a PROPFIND of one file, a folder of 20 photos):
 * those are sent whole, as one string with a Content-Length, which costs
 * the server no stream machinery per request. An answer that outgrows one
 * chunk (a listing of 100,000 photos) is streamed instead, and is never held
 * in memory as one document: small pieces are gathered into chunks of about
 * 64 KiB so the socket sees few large writes, and the producer waits
 * whenever the client reads more slowly than we list.
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';

const CHUNK_BYTES = 64 * 1024;

export class ClientGone extends Error {
  constructor() {
    super('The client closed the connection');
  }
}

export class ResponseSink {
  /** Made once the answer outgrows one chunk; until then everything is pending. */
  private stream: PassThrough | null = null;
  /** Text, and bytes kept from an earlier answer (an unchanged member of a listing). */
  private pending: (string | Uint8Array)[] = [];
  private pendingLength = 0;
  private settle!: { resolve: (body: string | Buffer | Readable) => void; reject: (error: Error) => void };
  private readonly settled = new Promise<string | Buffer | Readable>(
    (resolve, reject) => (this.settle = { resolve, reject }),
  );

  constructor() {
    // Whoever produces may fail before anyone asked for the body; body() still rejects.
    this.settled.catch(() => undefined);
  }

  /** What to send: the whole text once it is complete, or a stream as soon as the first full chunk is ready. */
  body(): Promise<string | Buffer | Readable> {
    return this.settled;
  }

  /** Whether part of the answer may already be on its way (a failure can then only cut it short). */
  get streaming(): boolean {
    return this.stream !== null;
  }

  /** Resolves at once unless a full chunk had to wait for the client. */
  write(chunk: string | Uint8Array): Promise<void> | void {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    if (this.pendingLength >= CHUNK_BYTES) return this.flush();
  }

  async close(): Promise<void> {
    if (this.stream === null) {
      this.settle.resolve(this.takePending());
      return;
    }
    await this.flush();
    this.stream.end();
  }

  fail(error: Error): void {
    if (this.stream === null) this.settle.reject(error);
    else this.stream.destroy(error);
  }

  /** One string while only text was written; bytes as soon as any part is bytes. */
  private takePending(): string | Buffer {
    const parts = this.pending;
    this.pending = [];
    this.pendingLength = 0;
    if (parts.every((part) => typeof part === 'string')) return parts.join('');
    if (parts.length === 1 && Buffer.isBuffer(parts[0])) return parts[0];
    return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
  }

  private async flush(): Promise<void> {
    if (this.stream === null) {
      this.stream = new PassThrough({ highWaterMark: 4 * CHUNK_BYTES });
      this.settle.resolve(this.stream);
    }
    if (this.stream.destroyed) throw new ClientGone();
    if (this.pending.length === 0) return;
    if (!this.stream.write(this.takePending())) {
      await Promise.race([once(this.stream, 'drain'), once(this.stream, 'close')]);
      if (this.stream.destroyed) throw new ClientGone();
    }
  }
}

/**
 * Runs `produce` into a new sink, without waiting for it to finish, and
 * answers the body to send (see ResponseSink.body). A failure before
 * anything was sent rejects that answer, so the caller answers with a proper
 * error status; one after the stream started cuts it short and goes to
 * `midway` (unless the client left).
 */
export function produceBody(
  produce: (sink: ResponseSink) => Promise<void>,
  midway: (error: unknown) => void,
): Promise<string | Buffer | Readable> {
  const sink = new ResponseSink();
  produce(sink)
    .then(() => sink.close())
    .catch((error: unknown) => {
      if (sink.streaming && !(error instanceof ClientGone)) midway(error);
      sink.fail(error instanceof Error ? error : new Error(String(error)));
    });
  return sink.body();
}
