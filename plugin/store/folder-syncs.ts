/**
 * Folder fsyncs, shared by the changes that wait for them (group commit).
 *
 * A rename or create is durable only once its folder is fsynced. When eight
 * clients upload into one folder, each upload used to open, fsync and close
 * that folder on its own, and the fsyncs queued in the thread pool behind
 * each other. Here a folder has at most one fsync running: a change that
 * asks while one runs waits for the next, which starts when the running one
 * ends and serves everyone who asked meanwhile. It may not join the running
 * one: that fsync may have begun before the change was made.
 */
export type SyncFolder = (folder: string) => Promise<void>;

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Queue {
  running: boolean;
  waiting: Waiter[];
}

export class FolderSyncs {
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly syncNow: SyncFolder) {}

  /** Settles once an fsync of `folder` that began after this call has ended (rejects if it failed). */
  sync(folder: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(folder);
      if (queue === undefined) {
        queue = { running: false, waiting: [] };
        this.queues.set(folder, queue);
      }
      queue.waiting.push({ resolve, reject });
      if (!queue.running) this.start(folder, queue);
    });
  }

  private start(folder: string, queue: Queue): void {
    const served = queue.waiting;
    queue.waiting = [];
    queue.running = true;
    const settle = (outcome: (waiter: Waiter) => void): void => {
      queue.running = false;
      if (queue.waiting.length > 0) this.start(folder, queue);
      else this.queues.delete(folder);
      for (const waiter of served) outcome(waiter);
    };
    let syncing: Promise<void>;
    try {
      syncing = this.syncNow(folder);
    } catch (error) {
      syncing = Promise.reject(error);
    }
    syncing.then(
      () => settle((waiter) => waiter.resolve()),
      (error: unknown) => settle((waiter) => waiter.reject(error)),
    );
  }
}
