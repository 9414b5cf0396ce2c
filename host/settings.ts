/**
 * HostSettings over `<data>/settings.properties`.
 *
 * The file is the truth: the CLI, an editor or another host instance may
 * change it while we run, so it is polled (fs.watchFile: stat polling works on
 * every file system, including network mounts where inotify is silent, and it
 * survives the rename of an atomic write).
 */
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { HostSettings, Logger } from '../plugin/host-api.js';
import { parseProperties, readPropertiesText, updateProperties, writeFileAtomic } from './properties.js';

export const SETTINGS_FILE = 'settings.properties';

export interface FileSettingsOptions {
  log: Logger;
  /** Polling interval of the file, in ms. */
  interval?: number;
}

type Listener = (changedKeys: readonly string[]) => void;

function changedKeys(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const keys = new Set<string>();
  for (const [k, v] of after) if (before.get(k) !== v) keys.add(k);
  for (const k of before.keys()) if (!after.has(k)) keys.add(k);
  return [...keys].sort();
}

/** How long the file must stay unchanged before a change is read. */
const SETTLE_MS = 150;

export class FileSettings implements HostSettings {
  private values = new Map<string, string>();
  private snapshot: Readonly<Record<string, string>> = Object.freeze({});
  private readonly listeners = new Set<Listener>();
  private writes: Promise<void> = Promise.resolve();
  private watching = false;
  private settleTimer: NodeJS.Timeout | null = null;
  /**
   * Editors and scripts often truncate the file and then write it: a read in
   * between would see no settings and make every share vanish for a moment.
   * So a change is read only once the file has been still for a short while.
   */
  private readonly onFileChange = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs === prev.mtimeMs && curr.ino === prev.ino && curr.size === prev.size) return;
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      void this.reload();
    }, SETTLE_MS);
    this.settleTimer.unref();
  };

  constructor(
    readonly file: string,
    private readonly options: FileSettingsOptions,
  ) {}

  /** Reads the file (a missing file is empty settings) and starts watching it. */
  async open(): Promise<this> {
    const text = await readPropertiesText(this.file);
    this.apply(text === null ? new Map() : parseProperties(text), false);
    if (!this.watching) {
      watchFile(this.file, { interval: this.options.interval ?? 500, persistent: false }, this.onFileChange);
      this.watching = true;
    }
    return this;
  }

  close(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.settleTimer = null;
    if (this.watching) unwatchFile(this.file, this.onFileChange);
    this.watching = false;
    this.listeners.clear();
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  all(): Readonly<Record<string, string>> {
    return this.snapshot;
  }

  async update(changes: Readonly<Record<string, string | null>>): Promise<void> {
    // Writes are queued so two updates of ours never read the same old file.
    const write = this.writes.then(async () => {
      // Start from the file, not from memory: another process may have changed it since our last poll.
      const text = (await readPropertiesText(this.file)) ?? '';
      const next = parseProperties(text);
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) next.delete(key);
        else next.set(key, value);
      }
      await writeFileAtomic(this.file, updateProperties(text, next));
      this.apply(next, true);
    });
    this.writes = write.catch(() => undefined);
    return write;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Re-reads the file now (the poll does this by itself). */
  async reload(): Promise<void> {
    await this.writes;
    let text: string | null;
    try {
      text = await readPropertiesText(this.file);
    } catch (err) {
      this.options.log.error({ err, file: this.file }, 'cannot read settings; keeping the previous ones');
      return;
    }
    if (text === null) {
      // Editors that save by delete + create leave a moment without the file: shares must not vanish then.
      this.options.log.warn({ file: this.file }, 'settings file is missing; keeping the previous settings');
      return;
    }
    try {
      this.apply(parseProperties(text), true);
    } catch (err) {
      this.options.log.error(
        { file: this.file, error: (err as Error).message },
        'settings file has an error; keeping the previous settings',
      );
    }
  }

  private apply(next: Map<string, string>, notify: boolean): void {
    const keys = changedKeys(this.values, next);
    this.values = next;
    this.snapshot = Object.freeze(Object.fromEntries(next));
    if (!notify || keys.length === 0) return;
    this.options.log.info({ keys }, 'settings changed');
    for (const listener of [...this.listeners]) {
      try {
        listener(keys);
      } catch (err) {
        this.options.log.error({ err }, 'a settings listener failed');
      }
    }
  }
}
