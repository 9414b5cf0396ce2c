/**
 * The inbox of a share: a folder where files dropped by any client are filed
 * by capture date into `YYYY/YYYY-MM/` of the same share, and ZIP files are
 * unpacked and their members filed the same way (docs/inbox.md).
 *
 * A pass lists the inbox, takes each settled, unlocked file (settled-items.ts),
 * reads its capture time (injected: the plugin's reader of EXIF and video
 * metadata), and moves it durably (durable-move.ts): a crash at any moment
 * leaves each file in the inbox or at its place, and the next pass finishes
 * the job. What it did goes to `onEvent`, which tells the media library, the
 * index and the audit log.
 *
 * Files that are neither photos nor videos are filed too, by the capture
 * time the reader gives them (their modification time): whoever dropped
 * them into the inbox wants them filed, and leaving them would keep the inbox
 * from ever emptying, while `failed/` is for what the inbox refuses.
 */
import { lstat, readdir, realpath, rmdir, unlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { newTemporaryName } from '../store/temporary-names.js';
import { fsyncFolder, makeFolders } from './durable-folders.js';
import { lstatOrNull, moveIntoPlace, removeIfUnchanged, type MoveOptions } from './durable-move.js';
import { moveToFailed, noteUnexplained } from './failed-zip.js';
import { FAILED_FOLDER, isClientJunk, isZipName } from './inbox-names.js';
import { monthFolder } from './placement.js';
import { RetryBackoff } from './retry-backoff.js';
import { isSettled, listInbox, type InboxEntry } from './settled-items.js';
import { extractMember, UnpackBudget } from './zip-extract.js';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-limits.js';
import { readZipPlan, ZipRefusal, type ZipMember } from './zip-members.js';

export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-limits.js';

export interface CaptureTimeLike {
  readonly at: Date;
  /** 'YYYY-MM' */
  readonly month: string;
  readonly source: 'exif' | 'video' | 'mtime';
}

/**
 * What a pass did, one event per file. Paths are below the share root.
 *
 * - 'filed': `from` moved to `to` (for the media library: removed `from`,
 *   changed `to`). For a ZIP's member, `from` is the ZIP, `member` the path
 *   inside it, and only `to` is new.
 * - 'duplicate': `from` held what `to` already holds; `from` was deleted (a
 *   member: not unpacked).
 * - 'unzipped': every member of the ZIP `from` is filed, and the ZIP deleted.
 * - 'failed': the ZIP `from` was refused and moved to `to` (in
 *   `<inbox>/failed/`, a `.txt` beside it); `reason` says why.
 */
export interface InboxEvent {
  kind: 'filed' | 'duplicate' | 'unzipped' | 'failed';
  from: string[];
  to?: string[];
  /** For a ZIP's member: its path inside the ZIP. */
  member?: string;
  reason?: string;
}

export interface InboxOptions {
  /** The share's root folder (absolute, symlinks resolved). */
  readonly root: string;
  /** The inbox folder below root, e.g. ['Inbox']. */
  readonly inbox: readonly string[];
  readonly settleMs: number;
  readonly zipLimits?: ZipLimits;
  /** Whether a WebDAV lock covers this path (below root). */
  isLocked(path: readonly string[]): Promise<boolean>;
  /**
   * The capture time of a file (absolute path), given its mtime and the
   * name it will be filed under: an unpacked ZIP member lies under a
   * temporary name that says nothing of its kind.
   */
  captureTime(file: string, modified: Date, name: string): Promise<CaptureTimeLike>;
  /** Told after each file lands (to index, media library, audit). Must not throw; the filer logs if it does. */
  onEvent(event: InboxEvent): void;
  readonly log: {
    info(o: object | string, m?: string): void;
    warn(o: object | string, m?: string): void;
    error(o: object | string, m?: string): void;
    debug(o: object | string, m?: string): void;
  };
  /** Tests. */
  readonly now?: () => number;
  /** Tests: link(2) as a file system without hard links has it. */
  readonly link?: MoveOptions['link'];
}

export interface InboxStatus {
  /** Files in the inbox waiting to be filed (settled or not). */
  waiting: number;
  /** ZIP files in `failed/`. */
  failed: number;
  lastPassAt: Date | null;
  lastError: string | null;
}

const DEFAULT_INTERVAL_MS = 10_000;
const YEAR = /^\d{4}$/;

export class InboxFiler {
  private readonly inboxPath: string;
  private readonly limits: ZipLimits;
  private readonly now: () => number;
  private readonly backoff: RetryBackoff;
  /** The pass under way, or the last one. */
  private pass: Promise<unknown> = Promise.resolve();
  private passing = false;
  private timer: NodeJS.Timeout | null = null;
  private lastPassAt: Date | null = null;
  private lastError: string | null = null;

  constructor(private readonly options: InboxOptions) {
    const { inbox } = options;
    if (inbox.length === 0 || inbox.some((s) => s === '' || s === '.' || s === '..' || s.includes('/')))
      throw new Error(`not a folder below the share root: ${JSON.stringify(inbox)}`);
    // Inside a year folder the inbox could be the month folder its files go
    // to, and a file "moved" onto itself.
    if (YEAR.test(inbox[0]!))
      throw new Error(`the inbox ${inbox.join('/')} cannot be inside the year folders it files into`);
    this.inboxPath = join(options.root, ...inbox);
    this.limits = options.zipLimits ?? DEFAULT_ZIP_LIMITS;
    this.now = options.now ?? Date.now;
    this.backoff = new RetryBackoff(this.now);
  }

  /** Creates the inbox folder if missing; then files settled items every intervalMs (unref'd timer). */
  async start(intervalMs = DEFAULT_INTERVAL_MS): Promise<void> {
    await makeFolders(this.options.root, this.options.inbox);
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.passing) return; // a slow pass is not queued behind
      this.fileSettled().catch((error: unknown) =>
        this.options.log.error({ err: error, inbox: this.inboxPath }, 'inbox pass failed'),
      );
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer; waits for a pass under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pass.catch(() => undefined);
  }

  /** One pass: files every settled item; returns what it did. Passes never overlap. */
  fileSettled(): Promise<InboxEvent[]> {
    const pass = this.pass.catch(() => undefined).then(() => this.runPass());
    this.pass = pass;
    return pass;
  }

  /** For the admin page. */
  async status(): Promise<InboxStatus> {
    let waiting = 0;
    let failed = 0;
    try {
      waiting = (await listInbox(this.inboxPath, this.options.inbox)).files.length;
      const names = await readdir(join(this.inboxPath, FAILED_FOLDER)).catch(() => []);
      failed = names.filter((name) => isZipName(name)).length;
    } catch {
      // An inbox that cannot be listed shows as empty; lastError says why.
    }
    return { waiting, failed, lastPassAt: this.lastPassAt, lastError: this.lastError };
  }

  private async runPass(): Promise<InboxEvent[]> {
    this.passing = true;
    const events: InboxEvent[] = [];
    try {
      await this.insideShare(await makeFolders(this.options.root, this.options.inbox));
      await noteUnexplained(this.inboxPath, new Date(this.now()));
      const { files, folders } = await listInbox(this.inboxPath, this.options.inbox);
      for (const file of files) await this.fileItem(file, events);
      this.backoff.keepOnly(new Set(files.map((file) => file.path)));
      for (const folder of folders) await this.removeIfEmptied(folder);
      // An item still waiting to be retried keeps its error on show.
      if (this.backoff.size === 0) this.lastError = null;
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      this.lastPassAt = new Date(this.now());
      this.passing = false;
    }
    return events;
  }

  /** Files one item; an error is logged and noted, and the pass goes on. */
  private async fileItem(file: InboxEntry, events: InboxEvent[]): Promise<void> {
    if (!isSettled(file.stats, this.now(), this.options.settleMs) || !this.backoff.due(file.path)) return;
    try {
      if (await this.options.isLocked(file.segments)) return;
      if (isZipName(file.name)) await this.fileZip(file, events);
      else await this.fileOne(file, events);
      this.backoff.succeeded(file.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !(await lstatOrNull(file.path))) {
        // Gone meanwhile: moved by a client, or filed by another instance
        // of the host on the same storage (docs/deploy.md).
        this.options.log.debug({ file: file.segments.join('/') }, 'inbox item gone before it was filed');
        return;
      }
      this.lastError = `${file.segments.join('/')}: ${error instanceof Error ? error.message : String(error)}`;
      if (this.backoff.failed(file.path))
        this.options.log.warn(
          { err: error, file: file.segments.join('/') },
          'could not file an inbox item; retrying later',
        );
    }
  }

  private async fileOne(file: InboxEntry, events: InboxEvent[]): Promise<void> {
    const { folder, below } = await this.monthOf(file.path, new Date(Number(file.stats.mtimeMs)), file.name);
    const placed = await moveIntoPlace(file.path, folder, file.name, { link: this.options.link });
    this.emit(events, {
      kind: placed.kind === 'placed' ? 'filed' : 'duplicate',
      from: [...file.segments],
      to: [...below, placed.name],
    });
  }

  /**
   * Unpacks a ZIP: the central directory is checked first, then every
   * member is unpacked to a temporary file beside the ZIP, and only once all
   * of them are whole are they filed, so that nothing of a ZIP found
   * damaged half-way is filed. The ZIP goes last: after a crash the next
   * pass unpacks it again and finds the members already filed as
   * duplicates.
   */
  private async fileZip(file: InboxEntry, events: InboxEvent[]): Promise<void> {
    const unpacked: { member: ZipMember; path: string }[] = [];
    try {
      try {
        const plan = await readZipPlan(file.path, this.limits);
        try {
          const budget = new UnpackBudget(this.limits);
          for (const member of plan.members) {
            const path = join(dirname(file.path), newTemporaryName());
            await extractMember(plan.zip, member, path, budget);
            unpacked.push({ member, path });
          }
        } finally {
          plan.zip.close();
        }
      } catch (error) {
        if (!(error instanceof ZipRefusal)) throw error;
        await this.failZip(file, error.message, events);
        return;
      }
      for (const { member, path } of unpacked) {
        const { folder, below } = await this.monthOf(path, member.modified, member.name);
        const placed = await moveIntoPlace(path, folder, member.name, { link: this.options.link });
        this.emit(events, {
          kind: placed.kind === 'placed' ? 'filed' : 'duplicate',
          from: [...file.segments],
          member: member.path,
          to: [...below, placed.name],
        });
      }
    } finally {
      // Whatever was not filed (a refusal, an error half-way).
      for (const { path } of unpacked) await unlink(path).catch(() => undefined);
    }
    if (!(await removeIfUnchanged(file.path, file.stats))) return; // replaced meanwhile: the next pass takes the new one
    this.emit(events, { kind: 'unzipped', from: [...file.segments] });
  }

  private async failZip(file: InboxEntry, reason: string, events: InboxEvent[]): Promise<void> {
    const name = await moveToFailed(this.inboxPath, file.path, reason, new Date(this.now()));
    this.options.log.warn({ zip: file.segments.join('/'), reason }, 'refused a ZIP file in the inbox');
    this.emit(events, {
      kind: 'failed',
      from: [...file.segments],
      to: [...this.options.inbox, FAILED_FOLDER, name],
      reason,
    });
  }

  /** The month folder for a file's capture time, created if missing. */
  private async monthOf(path: string, modified: Date, name: string): Promise<{ folder: string; below: string[] }> {
    const capture = await this.options.captureTime(path, modified, name);
    const below = monthFolder(capture.month);
    return { folder: await this.insideShare(await makeFolders(this.options.root, below)), below };
  }

  /**
   * A folder the inbox takes files from or puts them into must be inside
   * the share once symbolic links are followed, as the share's store
   * requires of every path it serves: a link named like the inbox or a
   * month folder, made by someone with access to the disk, must not carry
   * photos out of the share (or other files into it).
   */
  private async insideShare(folder: string): Promise<string> {
    const real = await realpath(folder);
    const root = this.options.root.endsWith(sep) ? this.options.root : this.options.root + sep;
    if (!real.startsWith(root))
      throw new Error(`${folder} leads outside the share (to ${real}); nothing is filed there`);
    return folder;
  }

  /**
   * Removes a dropped folder once everything in it is filed: when it holds
   * nothing but what Finder and Explorer leave behind, is settled itself (a
   * folder just made by MKCOL is about to receive files) and not locked.
   */
  private async removeIfEmptied(folder: InboxEntry): Promise<void> {
    try {
      const names = await readdir(folder.path);
      if (!names.every(isClientJunk)) return;
      const stats = await lstat(folder.path, { bigint: true });
      if (!isSettled(stats, this.now(), this.options.settleMs)) return;
      if (await this.options.isLocked(folder.segments)) return;
      for (const name of names) await unlink(join(folder.path, name));
      await rmdir(folder.path);
      await fsyncFolder(dirname(folder.path));
    } catch (error) {
      this.options.log.debug({ err: error, folder: folder.segments.join('/') }, 'inbox folder not removed');
    }
  }

  private emit(events: InboxEvent[], event: InboxEvent): void {
    events.push(event);
    this.options.log.info(event, `inbox: ${event.kind}`);
    try {
      this.options.onEvent(event);
    } catch (error) {
      this.options.log.error({ err: error, event }, 'inbox event handler threw');
    }
  }
}
