/**
 * What a caller may do on a share, and what each method needs: the one
 * table every permission is decided by. The access layer grants rights
 * while it resolves a request (rightsOn) and checks the method's needs
 * before any handler runs (authorize with methodNeeds); a handler only
 * reports what a request turns out to do once it has looked (a COPY that
 * overwrites, a LOCK that creates a file), and the same table decides.
 *
 * The switches (README, Settings): a read-only share answers only the
 * methods that read; `webdav.uploadallowed=false` refuses whatever brings
 * something new into a share (PUT, MKCOL, PROPPATCH, COPY/MOVE into it, a
 * LOCK that creates an empty file); `webdav.deleteallowed=false` refuses
 * whatever takes something away (DELETE, MOVE, COPY/MOVE with Overwrite
 * onto an existing resource). A refusal is 403 and changes nothing.
 * Replacing a file with PUT counts as an upload, not a delete: Windows
 * Explorer uploads a 0-byte file first and then replaces it.
 */
import type { Share } from '../config/shares.js';
import type { WebdavSettings } from '../config/settings.js';
import { DavError } from './errors.js';

export type Right = 'read' | 'write' | 'upload' | 'delete';

/** What the caller may do on one share (or on /webdav/ itself), with the reason for each right withheld. */
export interface Rights {
  readonly granted: ReadonlySet<Right>;
  readonly refusals: Readonly<Partial<Record<Right, string>>>;
}

/** Needs on the share the Request-URI names, whatever the resource turns out to be. */
const METHOD_NEEDS: Readonly<Record<string, readonly Right[]>> = {
  OPTIONS: [],
  GET: ['read'],
  HEAD: ['read'],
  PROPFIND: ['read'],
  PROPPATCH: ['write', 'upload'],
  PUT: ['write', 'upload'],
  MKCOL: ['write', 'upload'],
  DELETE: ['write', 'delete'],
  // A read-only share is left alone entirely: not even copied from.
  COPY: ['write'],
  MOVE: ['write', 'delete'],
  LOCK: ['write'],
  UNLOCK: ['write'],
};

/** Needs that arise from what a request does, on the share where it does it. */
const EFFECT_NEEDS = {
  /** COPY or MOVE bringing a resource into a share (its Destination). */
  'copy-into': ['write', 'upload'],
  /** COPY or MOVE with Overwrite: T onto an existing resource, which is deleted first (RFC 4918 §9.8.4). */
  overwrite: ['delete'],
  /** LOCK of an unmapped URL, which creates an empty file (RFC 4918 §7.3). */
  'create-by-lock': ['upload'],
} as const satisfies Record<string, readonly Right[]>;

export type Effect = keyof typeof EFFECT_NEEDS;

/** A method this table does not know may change things: a read-only share refuses it (403), elsewhere it is a 405. */
export function methodNeeds(method: string): readonly Right[] {
  return METHOD_NEEDS[method] ?? ['write'];
}

export function effectNeeds(effect: Effect): readonly Right[] {
  return EFFECT_NEEDS[effect];
}

export const ROOT_REFUSAL = 'Nothing can be written at /webdav/ itself; use a share below it';

/** `/webdav/` itself is a read-only listing of the caller's shares. */
export const ROOT_RIGHTS: Rights = {
  granted: new Set<Right>(['read']),
  refusals: { write: ROOT_REFUSAL, upload: ROOT_REFUSAL, delete: ROOT_REFUSAL },
};

/** A member's rights on a share: everything, unless the share or the global switches say otherwise. */
export function rightsOn(share: Share, settings: Pick<WebdavSettings, 'uploadAllowed' | 'deleteAllowed'>): Rights {
  if (share.readonly) {
    const readOnly = `Share "${share.mount}" is read-only`;
    return { granted: new Set(['read']), refusals: { write: readOnly, upload: readOnly, delete: readOnly } };
  }
  const granted = new Set<Right>(['read', 'write']);
  const refusals: Partial<Record<Right, string>> = {};
  if (settings.uploadAllowed) granted.add('upload');
  else refusals.upload = 'Uploads are switched off on this server (webdav.uploadallowed=false)';
  if (settings.deleteAllowed) granted.add('delete');
  else refusals.delete = 'Deleting is switched off on this server (webdav.deleteallowed=false)';
  return { granted, refusals };
}

/** 403 naming the first right missing; nothing has changed yet when it is thrown. */
export function authorize(rights: Rights, needs: readonly Right[]): void {
  for (const right of needs) {
    if (!rights.granted.has(right)) throw new DavError(403, rights.refusals[right] ?? `This needs the ${right} right`);
  }
}
