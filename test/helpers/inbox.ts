/**
 * What the inbox tests inject into plugin/inbox/inbox-filer.ts: a capture
 * time reader that answers the month of the modification time it is given
 * (in UTC, so the test's machine's time zone does not matter), and a logger
 * that keeps quiet.
 */
import { InboxFiler, type CaptureTimeLike, type InboxOptions } from '../../plugin/inbox/inbox-filer.js';

export async function captureByModified(_file: string, modified: Date): Promise<CaptureTimeLike> {
  const month = `${modified.getUTCFullYear()}-${String(modified.getUTCMonth() + 1).padStart(2, '0')}`;
  return { at: modified, month, source: 'mtime' };
}

export const silentLog: InboxOptions['log'] = { debug() {}, info() {}, warn() {}, error() {} };

/** A filer of `<root>/Inbox` that takes every item at once (settled, never locked), filed by modification time. */
export function eagerFiler(root: string, options: Partial<InboxOptions> = {}): InboxFiler {
  return new InboxFiler({
    root,
    inbox: ['Inbox'],
    settleMs: 0,
    isLocked: async () => false,
    captureTime: captureByModified,
    onEvent: () => undefined,
    log: silentLog,
    ...options,
  });
}
