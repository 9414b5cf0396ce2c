/**
 * An inbox filing as an audit entry (docs/inbox.md): no client asked for
 * it, so it carries no user nor address; its "method" says what the inbox
 * did, and its paths are the share's as a client would name them.
 */
import type { InboxEvent } from '../inbox/inbox-filer.js';
import type { AuditEntry } from './audit.js';

const METHODS: Readonly<Record<InboxEvent['kind'], string>> = {
  filed: 'INBOX-FILE',
  duplicate: 'INBOX-DUPLICATE',
  unzipped: 'INBOX-UNZIP',
  failed: 'INBOX-REFUSE',
};

/** 201: a file placed; 204: a duplicate dropped or a ZIP emptied; 422: a ZIP refused. */
const STATUSES: Readonly<Record<InboxEvent['kind'], number>> = {
  filed: 201,
  duplicate: 204,
  unzipped: 204,
  failed: 422,
};

/** Decoded, as the audit log keeps every path (access/audit.ts). */
const href = (mount: string, path: readonly string[]): string => `/webdav/${mount}/${path.join('/')}`;

export function inboxAuditEntry(mount: string, event: InboxEvent): AuditEntry {
  const from = href(mount, event.from);
  return {
    time: new Date(),
    user: null,
    address: 'inbox',
    method: METHODS[event.kind],
    path: event.member === undefined ? from : `${from}#${event.member}`,
    mount,
    destination: event.to ? href(mount, event.to) : null,
    status: STATUSES[event.kind],
    bytesIn: 0,
    bytesOut: 0,
    durationMs: 0,
  };
}
