/**
 * A database that cannot be reached right now (PostgreSQL restarting, the
 * network between; host-api.ts's isDatabaseOutage says which errors): the
 * request is answered 503 with Retry-After, never a 500, as the host answers
 * its own.
 */
import { DATABASE_RETRY_AFTER_SECONDS } from '../host-api.js';
import { DavError } from './errors.js';

export const databaseUnavailable = (): DavError =>
  new DavError(503, 'The database is unavailable; try again in a few seconds', {
    headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
  });
