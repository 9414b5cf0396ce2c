/**
 *   GET    admin/locks            the active WebDAV locks of every share
 *   DELETE admin/locks/:token     removes one (a client that crashed holding it, say), recorded in the audit log
 *
 * Removing a lock is what UNLOCK does, done by the administrator: the lock
 * is gone for every WebDAV client at once (plugin/locks/knex-lock-manager.ts
 * forgets what it kept in memory), and a client that still holds its token
 * gets 412 when it submits it. The answer is described by
 * schemas/admin-locks-response.schema.json.
 */
import type { Context } from 'koa';
import { recordNow } from '../access/audit.js';
import { secondsLeft, type ActiveLock } from '../locks/model.js';
import type { AdminContext } from './admin-context.js';
import { ApiError, requireUser, sendJson } from './http.js';

/** More active locks than this is a client's experiment; the page shows the first ones and says so. */
export const LOCKS_SHOWN = 500;
/** What the page shows of a lock's DAV:owner (at most 4 KiB of XML). */
const OWNER_SHOWN = 200;

export async function listLocks(ctx: Context, admin: AdminContext): Promise<void> {
  const found = await admin.services.locks.list(LOCKS_SHOWN + 1);
  const now = Date.now();
  sendJson(ctx, 200, {
    locks: found.slice(0, LOCKS_SHOWN).map((lock) => lockView(lock, now)),
    more: found.length > LOCKS_SHOWN,
  });
}

export async function removeLock(ctx: Context, admin: AdminContext): Promise<void> {
  const token = String(ctx.params['token'] ?? '');
  const started = Date.now();
  const { services } = admin;
  const session = await requireUser(services.host.session, ctx);
  const lock = await services.locks.find(token);
  // Released by its client or expired meanwhile: either way the page shows a lock that is not there.
  if (!lock || !(await services.locks.release(token))) {
    throw new ApiError(404, `there is no active lock "${token.slice(0, 100)}" (released or expired meanwhile?)`);
  }
  const view = lockView(lock, started);
  await recordNow(services.host.db, services.host.log, {
    time: new Date(started),
    user: session.user.name,
    address: String((ctx.state as { remoteAddress?: string }).remoteAddress ?? ctx.ip),
    method: 'UNLOCK (admin page)',
    path: view.path,
    mount: lock.mount,
    destination: null,
    status: 200,
    bytesIn: 0,
    bytesOut: 0,
    durationMs: Date.now() - started,
  });
  sendJson(ctx, 200, { removed: view });
}

function lockView(lock: ActiveLock, now: number) {
  return {
    token: lock.token,
    mount: lock.mount,
    /** As the audit log shows paths: decoded, a folder with its trailing slash. */
    path: `/webdav/${[lock.mount, ...lock.path].join('/')}${lock.collection || lock.path.length === 0 ? '/' : ''}`,
    collection: lock.collection,
    depth: lock.depth === 'infinity' ? 'infinity' : '0',
    scope: lock.scope,
    user: lock.user,
    owner: ownerText(lock.ownerXml),
    createdAt: new Date(lock.createdAt).toISOString(),
    expiresAt: new Date(lock.expiresAt).toISOString(),
    secondsLeft: secondsLeft(lock, now),
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * The text of a DAV:owner element (a name, or the href of a contact), for
 * reading: plugin/dav/xml/serialize.ts stored it with text escaped (CDATA
 * included), so dropping its tags and resolving its escapes leaves the text.
 */
export function ownerText(ownerXml: string | null): string | null {
  if (ownerXml === null) return null;
  const text = ownerXml
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(?:#x([0-9a-f]+)|#(\d+)|(\w+));/gi, (whole, hex?: string, dec?: string, name?: string) => {
      if (name) return ENTITIES[name] ?? whole;
      const code = hex ? parseInt(hex, 16) : Number(dec);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return null;
  return text.length > OWNER_SHOWN ? `${text.slice(0, OWNER_SHOWN - 1)}…` : text;
}
