/**
 * The reference host's media library. A real media server would re-index the
 * file or drop it from its index; this one only counts, which is enough for
 * tests to see that the plugin told the host.
 */
import type { HostMedia, Logger } from '../plugin/host-api.js';

export class CountingMedia implements HostMedia {
  changedCount = 0;
  removedCount = 0;

  constructor(private readonly log: Logger) {}

  changed(absolutePath: string): void {
    this.changedCount++;
    this.log.debug({ path: absolutePath }, 'media changed');
  }

  removed(absolutePath: string): void {
    this.removedCount++;
    this.log.debug({ path: absolutePath }, 'media removed');
  }
}
