/**
 * The one place where storage failures become HTTP statuses. The store
 * names what went wrong (store/errors.ts); here each kind gets the status a
 * WebDAV client can act on. A raw file-system error that escaped the store
 * (a listing or a read failing midway) is named by the store's own mapping
 * first, so both paths agree. Anything unknown is a 500 whose message does
 * not show the server path (the original goes to the log). A database that
 * cannot be reached is a 503 with Retry-After (dav/database-outage.ts).
 */
import { StoreError, storeErrorOf, type StoreErrorKind } from '../store/errors.js';
import { isDatabaseOutage } from '../host-api.js';
import { databaseUnavailable } from './database-outage.js';
import { DavError } from './errors.js';

const STATUS_OF_KIND: Readonly<Record<StoreErrorKind, number>> = {
  'not-found': 404,
  // RFC 4918 §9.7.1: a PUT "without an appropriately scoped parent collection MUST fail with a 409".
  'parent-missing': 409,
  // RFC 4918 §9.3.1: "405 (Method Not Allowed) - MKCOL can only be executed on an unmapped URL".
  exists: 405,
  'not-empty': 409,
  'wrong-kind': 409,
  'share-root': 403,
  'outside-share': 403,
  'reserved-name': 403,
  denied: 403,
  // RFC 4918 §11.5.
  'no-space': 507,
  'name-too-long': 400,
  failed: 500,
};

/** The error as a DavError; null when it is not a storage failure we know (a bug: let it surface). */
export function davErrorOfStorage(error: unknown): DavError | null {
  if (error instanceof DavError) return error;
  if (isDatabaseOutage(error)) return databaseUnavailable();
  const named = storeErrorOf(error);
  if (!(named instanceof StoreError)) return null;
  return new DavError(STATUS_OF_KIND[named.kind], named.message);
}

/** Like davErrorOfStorage, but never null: an unknown failure is a 500 that tells the client nothing of the server. */
export function statusOfFailure(error: unknown): DavError {
  return davErrorOfStorage(error) ?? new DavError(500, 'Internal server error');
}
