/**
 * bcrypt password checks off the event loop.
 *
 * bcryptjs is plain JavaScript: one compare at cost 10 takes 60–100 ms of
 * CPU, and its "async" API runs it in chunks of up to 100 ms on the main
 * thread. A burst of wrong guesses (each one that the plugin's throttle lets
 * through costs a compare) then holds up every other request for seconds,
 * even requests that need no password check at all. Here compares run in a
 * small pool of worker threads; the main thread only waits.
 *
 * Workers are started on first use, do not keep the process alive, and are
 * replaced when one dies. A worker idle for `idleMs` is stopped: each holds
 * a JavaScript engine of its own (about 10 MB), and once a user is known,
 * checking them again needs no compare (verified-passwords.ts). Checks
 * queue in order of arrival.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

// ESM so that the worker loads the same bcryptjs the host uses, wherever the host runs from.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.bcryptjs).then(({ default: bcrypt }) => {
  parentPort.on('message', ({ id, password, hash }) => {
    let ok = false;
    try { ok = bcrypt.compareSync(password, hash); } catch { ok = false; }
    parentPort.postMessage({ id, ok });
  });
  parentPort.postMessage({ ready: true });
});
`;

interface Job {
  readonly id: number;
  readonly password: string;
  readonly hash: string;
  readonly resolve: (ok: boolean) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  /** Stops the worker unless it gets a job first. */
  idle: NodeJS.Timeout | null;
}

export const IDLE_MS = 30_000;

export class BcryptPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private readonly bcryptjs = pathToFileURL(createRequire(import.meta.url).resolve('bcryptjs')).href;

  constructor(
    private readonly size = Math.max(1, Math.min(2, availableParallelism() - 1)),
    private readonly idleMs = IDLE_MS,
  ) {}

  /** How many workers are running. */
  get workers(): number {
    return this.slots.length;
  }

  /** Whether `password` matches the bcrypt `hash`. */
  compare(password: string, hash: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, password, hash, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.slots.length < this.size && this.queue.length > this.slots.filter((s) => s.job === null).length)
      this.spawn();
    for (const slot of this.slots) {
      if (slot.job !== null || this.queue.length === 0) continue;
      slot.job = this.queue.shift()!;
      if (slot.idle) clearTimeout(slot.idle);
      slot.idle = null;
      slot.worker.ref();
      slot.worker.postMessage({ id: slot.job.id, password: slot.job.password, hash: slot.job.hash });
    }
  }

  private spawn(): void {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptjs: this.bcryptjs } });
    const slot: Slot = { worker, job: null, idle: null };
    worker.unref();
    worker.on('message', (message: { id?: number; ok?: boolean }) => {
      if (message.id === undefined || slot.job?.id !== message.id) return;
      const job = slot.job;
      slot.job = null;
      worker.unref();
      job.resolve(message.ok === true);
      this.dispatch();
      if (slot.job === null) this.stopWhenIdle(slot);
    });
    const failed = (error: Error): void => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return;
      this.slots.splice(index, 1);
      slot.job?.reject(error);
      slot.job = null;
      this.dispatch();
    };
    worker.on('error', failed);
    worker.on('exit', (code) => failed(new Error(`bcrypt worker exited (${code})`)));
    this.slots.push(slot);
  }

  private stopWhenIdle(slot: Slot): void {
    slot.idle = setTimeout(() => {
      slot.idle = null;
      const index = this.slots.indexOf(slot);
      if (slot.job !== null || index < 0) return;
      // Out of the pool first: its exit is then no failure to report.
      this.slots.splice(index, 1);
      void slot.worker.terminate();
    }, this.idleMs);
    slot.idle.unref();
  }
}
