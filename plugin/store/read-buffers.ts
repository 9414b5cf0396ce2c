/**
 * Buffers that file streams read into, kept for the next read once the
 * bytes in them have been sent (see ChunkConsumer in store.ts).
 *
 * Why: a fresh 1 MiB buffer per read is memory that the allocator takes
 * from the kernel and, once the garbage collector frees it in a batch,
 * gives back. Each page of it is then faulted in again on the next read:
 * under 8 clients reading 1 MiB ranges, 500,000 page faults in 8 s and a
 * full collection every 64 MiB. Reading into the same few buffers again
 * took that load from about 2,600 to 3,600 answers a second and its RSS
 * from 175 to 138 MB.
 *
 * At most `keep` buffers wait here; they are let go after `idleMs` in which
 * none was taken, so an idle server does not hold them.
 */
export const READ_BUFFER_BYTES = 1024 * 1024;
export const KEPT_READ_BUFFERS = 8;
export const READ_BUFFERS_IDLE_MS = 10_000;

export class ReadBuffers {
  private readonly idle: Buffer[] = [];
  private lastTaken = 0;
  private letGoTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly size = READ_BUFFER_BYTES,
    private readonly keep = KEPT_READ_BUFFERS,
    private readonly idleMs = READ_BUFFERS_IDLE_MS,
  ) {}

  /** A buffer of `size` bytes with nothing else using it: a waiting one, or a new one. */
  take(): Buffer {
    this.lastTaken = performance.now();
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  /** Takes a buffer back; the caller promises that nothing reads or writes it any more. */
  giveBack(buffer: Buffer): void {
    if (buffer.length !== this.size || this.idle.length >= this.keep) return;
    // Handed out twice, one buffer would be read into by two streams at once.
    if (this.idle.includes(buffer)) throw new Error('A read buffer was given back twice');
    this.idle.push(buffer);
    this.letGoWhenIdle();
  }

  /** How many buffers wait to be taken. */
  get waiting(): number {
    return this.idle.length;
  }

  private letGoWhenIdle(): void {
    if (this.letGoTimer) return;
    this.letGoTimer = setTimeout(() => {
      this.letGoTimer = null;
      if (performance.now() - this.lastTaken >= this.idleMs) this.idle.length = 0;
      else this.letGoWhenIdle();
    }, this.idleMs);
    this.letGoTimer.unref();
  }
}

/** The buffers that all file stores of this process share. */
export const sharedReadBuffers = new ReadBuffers();
