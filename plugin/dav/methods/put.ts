/**
 * PUT (RFC 9110 §9.3.4; RFC 4918 §9.7). "A PUT that would result in the
 * creation of a resource without an appropriately scoped parent collection
 * MUST fail with a 409 (Conflict)" (§9.7.1); PUT onto an existing collection
 * "MAY be treated as an error (405 Method Not Allowed)" (§9.7.2), and is.
 *
 * The body goes straight from the socket into the store, which writes it to
 * a temporary file and renames that over the target only when the body
 * iterable completes without throwing. So everything that makes an upload
 * invalid (the client hung up, fewer bytes than announced) is detected in
 * the iterable below, before its end: the old file then stays as it was.
 *
 * Every check runs before the body is read, and `100 Continue` is sent only
 * once they all passed (http/expect-continue.ts): a refused 4 GB upload is
 * never sent. The target is looked at once (Store.prepare), and the write
 * uses what that look found.
 *
 * Replacing a file counts as an upload, not a delete (dav/permissions.ts):
 * Windows Explorer creates every file as a 0-byte PUT followed by the real PUT.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import { acceptBody, closeUnlessBodyRead } from '../../http/expect-continue.js';
import { guardBodyRate } from '../../http/body-rate.js';
import { shareTarget, type MethodHandler } from '../context.js';
import { answerEmpty } from '../answers.js';
import { noteCollectionUrl } from '../collection-url.js';
import { checkPreconditions } from '../conditional.js';
import { DavError, badRequest, conflict } from '../errors.js';
import { forgetStaleProperties } from '../followers.js';
import { requireMembershipUnlocked, requireUnlocked } from '../lock-check.js';
import { mediaChanged } from '../media-events.js';
import { SUPPORTED_METHODS } from './options.js';

export const put: MethodHandler = async (request) => {
  const { ctx, services } = request;
  const target = shareTarget(request);
  try {
    refuseContentRange(ctx);
    const expectedLength = expectedEntityLength(ctx);
    const prepared = await target.store.prepare(target.path);
    const { existing } = prepared;
    noteCollectionUrl(request, existing);
    if (existing?.isCollection) {
      throw new DavError(405, 'A collection exists here; PUT replaces files only', {
        headers: { Allow: COLLECTION_METHODS },
      });
    }
    // The store would find out too, but only after 100 Continue had invited the body.
    if (!existing && !prepared.parentIsCollection) throw conflict('The parent collection does not exist');
    checkPreconditions(ctx, existing);
    await requireUnlocked(request, target, 0);
    if (!existing) await requireMembershipUnlocked(request, target);

    acceptBody(ctx);
    const { created, info } = await target.store.write(target.path, receivedBody(ctx.req, expectedLength), prepared);
    if (created) await forgetStaleProperties(services, target);
    mediaChanged(services, target);
    ctx.set('ETag', info.etag);
    answerEmpty(ctx, created ? 201 : 204);
  } catch (error) {
    closeUnlessBodyRead(ctx);
    throw error;
  }
};

/** What a collection does allow (RFC 9110 §15.5.6: a 405 carries Allow). */
const COLLECTION_METHODS = SUPPORTED_METHODS.filter((method) => method !== 'PUT').join(', ');

/**
 * RFC 9110 §14.4: "An origin server that allows PUT on a given target
 * resource MUST send a 400 (Bad Request) response to a PUT request that
 * contains a Content-Range header field", since it would otherwise store a
 * part as if it were the whole.
 */
function refuseContentRange(ctx: Context): void {
  if (ctx.get('content-range')) throw badRequest('Content-Range on PUT is not supported: send the whole file');
}

/**
 * macOS Finder uploads chunked, announcing the real size in
 * `X-Expected-Entity-Length`; a body that does not have that size (an empty
 * one after a failed read on the client) must not become the file.
 */
function expectedEntityLength(ctx: Context): number | null {
  const value = ctx.get('x-expected-entity-length').trim();
  if (value === '') return null;
  if (!/^\d{1,16}$/.test(value)) throw badRequest('X-Expected-Entity-Length must be a byte count');
  return Number(value);
}

/**
 * The request body as it arrives, checked on the way: throwing before the
 * end keeps the store from renaming the temporary file over the target.
 */
async function* receivedBody(req: IncomingMessage, expected: number | null): AsyncGenerator<Uint8Array> {
  let received = 0;
  const stopGuard = guardBodyRate(req);
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (expected !== null && received > expected) {
        throw badRequest(`The body is longer than X-Expected-Entity-Length (${expected} bytes)`);
      }
      yield chunk;
    }
  } catch (error) {
    if (error instanceof DavError) throw error;
    throw incomplete();
  } finally {
    stopGuard();
  }
  // With Content-Length, a connection closed early ends the stream quietly; Node marks it incomplete.
  if (!req.complete) throw incomplete();
  if (expected !== null && received !== expected) {
    throw badRequest(`The body has ${received} bytes, X-Expected-Entity-Length announced ${expected}`);
  }
}

function incomplete(): DavError {
  return badRequest('The upload ended before the whole body arrived; nothing was written');
}
