/**
 * A response body written piece by piece while it is produced: large
 * multistatus answers (100,000 photos) are never held in memory as one
 * document. Small pieces are gathered into chunks of about 64 KiB so the
 * socket sees few large writes, and the producer waits whenever the client
 * reads more slowly than we list.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';

const CHUNK_BYTES = 64 * 1024;

export class ClientGone extends Error {
  constructor() {
    super('The client closed the connection');
  }
}

export class ResponseSink {
  readonly stream = new PassThrough({ highWaterMark: 4 * CHUNK_BYTES });
  private pending: string[] = [];
  private pendingLength = 0;

  /** Resolves at once unless a full chunk had to wait for the client. */
  write(text: string): Promise<void> | void {
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= CHUNK_BYTES) return this.flush();
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
  }

  fail(error: Error): void {
    this.stream.destroy(error);
  }

  private async flush(): Promise<void> {
    if (this.stream.destroyed) throw new ClientGone();
    if (this.pending.length === 0) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    if (!this.stream.write(chunk)) {
      await Promise.race([once(this.stream, 'drain'), once(this.stream, 'close')]);
      if (this.stream.destroyed) throw new ClientGone();
    }
  }
}
