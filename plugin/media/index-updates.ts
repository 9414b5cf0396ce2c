/**
 * Keeps the capture-date index true at once after a change made through
 * WebDAV (or filed by an inbox): the plugin already tells the host's media
 * library about every such change (dav/media-events.ts), in file-system
 * paths; this listens in on those same calls. A changed folder (a MOVE or
 * COPY of a folder) is walked; a removed path takes its rows below with it.
 *
 * Updates run in the background, so that no WebDAV answer waits for a file
 * to be read; a date view first waits for the updates of its share under
 * way (settled), so that a client that uploads and then lists sees its file.
 */
import { lstat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { HostMedia, Logger } from '../host-api.js';
import { describeFile } from './media-files.js';
import { unchangedSince, type MediaIndex } from './media-index.js';
import type { MediaScanner } from './media-scan.js';

export class IndexUpdates {
  private readonly pending = new Map<string, Set<Promise<void>>>();

  constructor(
    private readonly index: MediaIndex,
    /** The scanners of the indexed shares as they are now. */
    private readonly scanners: () => Iterable<MediaScanner>,
    private readonly log: Logger,
  ) {}

  /** The host's media library, with the index told first. */
  wrap(media: HostMedia): HostMedia {
    return {
      changed: (file) => {
        this.track(file, (scanner, path) => this.changed(scanner, path));
        media.changed(file);
      },
      removed: (file) => {
        this.track(file, (scanner, path) => this.index.removeUnder(scanner.target.mount, path));
        media.removed(file);
      },
    };
  }

  /** Resolves once the updates of the mount's index under way are written. */
  async settled(mount: string): Promise<void> {
    const running = this.pending.get(mount);
    if (running && running.size > 0) await Promise.all(running);
  }

  /**
   * What a folder watch heard (folder-watch.ts): each path is looked at on
   * disk as it is now: gone, a file, or a folder whose photos are (re)read.
   * `gone` is told the paths that no longer exist (their watches end).
   */
  heard(scanner: MediaScanner, paths: readonly (readonly string[])[], gone: (path: readonly string[]) => void): void {
    for (const path of paths) this.run(scanner, () => this.refresh(scanner, path, gone));
  }

  private async refresh(
    scanner: MediaScanner,
    path: readonly string[],
    gone: (path: readonly string[]) => void,
  ): Promise<void> {
    const { mount, root } = scanner.target;
    if (scanner.excludes(path)) return;
    let stats;
    try {
      stats = await lstat(join(root, ...path));
    } catch {
      gone(path);
      await this.index.removeUnder(mount, path);
      return;
    }
    if (stats.isFile()) {
      // A change this process made through WebDAV is indexed already: heard again, it costs one query.
      if (unchangedSince(await this.index.stampOf(mount, path), stats)) return;
      const file = await describeFile(root, path, stats);
      if (file) await this.index.put(mount, [file]);
    } else if (stats.isDirectory()) {
      await this.changed(scanner, path);
    }
  }

  private track(file: string, update: (scanner: MediaScanner, path: readonly string[]) => Promise<void>): void {
    for (const scanner of this.scanners()) {
      const under = scanner.target.root.endsWith(sep) ? scanner.target.root : scanner.target.root + sep;
      if (!file.startsWith(under)) continue;
      const path = file.slice(under.length).split(sep);
      this.run(scanner, () => update(scanner, path));
    }
  }

  private run(scanner: MediaScanner, update: () => Promise<void>): void {
    const { mount } = scanner.target;
    const job = update().catch((error: unknown) =>
      this.log.warn(
        { err: error, mount },
        `WebDAV media index of "${mount}" missed a change; the next scan will see it`,
      ),
    );
    let running = this.pending.get(mount);
    if (!running) this.pending.set(mount, (running = new Set()));
    running.add(job);
    void job.finally(() => running.delete(job));
  }

  private async changed(scanner: MediaScanner, path: readonly string[]): Promise<void> {
    const { mount, root } = scanner.target;
    // The inbox files what lands there; it is indexed where it lands.
    if (scanner.excludes(path)) return;
    const file = await describeFile(root, path);
    if (file) {
      await this.index.put(mount, [file]);
      return;
    }
    // A folder moved or copied in: every photo in it. (A changed non-media file costs one lstat.)
    const found = [];
    for await (const [below, stats] of scanner.walk(path)) {
      const described = await describeFile(root, below, stats);
      if (described) found.push(described);
    }
    await this.index.put(mount, found);
  }
}
