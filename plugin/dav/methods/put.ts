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
 * once they all passed (DESIGN §5): a refused 4 GB upload is never sent.
 *
 * Replacing a file counts as an upload, not a delete (DESIGN §3): Windows
 * Explorer creates every file as a 0-byte PUT followed by the real PUT.
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import { requireUploadAllowed } from '../../access/switches.js';
import type { DeadPropertyStore } from '../../props/dead-properties.js';
import type { MethodHandler, ShareTarget } from '../context.js';
import { checkPreconditions } from '../conditional.js';
import { DavError, badRequest, conflict } from '../errors.js';
import { requireMembershipUnlocked, requireUnlocked } from '../lock-check.js';
import { answerEmpty } from '../tree.js';
import { SUPPORTED_METHODS } from './options.js';
import { mediaChanged } from '../media-events.js';
import { guardBodyRate } from '../body-rate.js';
import { hasBody, inviteBody } from '../request-body.js';

export const put: MethodHandler = async (request) => {
  const { ctx } = request;
  const target = request.target as ShareTarget;
  try {
    requireUploadAllowed(request);
    refuseContentRange(ctx);
    const expectedLength = expectedEntityLength(ctx);
    const existing = await target.store.stat(target.path);
    if (existing?.isCollection) {
      throw new DavError(405, 'A collection exists here; PUT replaces files only', { headers: { Allow: COLLECTION_METHODS } });
    }
    if (!existing) await requireParent(target);
    checkPreconditions(ctx, existing);
    await requireUnlocked(request, target.share.mount, target.path, 0);
    if (!existing) await requireMembershipUnlocked(request, target.share.mount, target.path);

    inviteBody(ctx);
    const { created, info } = await target.store.write(target.path, receivedBody(ctx.req, expectedLength));
    if (created) await forgetStaleProperties(request.services.deadProperties, target);
    mediaChanged(request.services, target.share.mount, target.path);
    ctx.set('ETag', info.etag);
    answerEmpty(ctx, created ? 201 : 204);
  } catch (error) {
    throw closingWhenUnread(ctx, error);
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

/** The store would find out too, but only after 100 Continue had invited the body. */
async function requireParent(target: ShareTarget): Promise<void> {
  const parent = await target.store.stat(target.path.slice(0, -1));
  if (!parent?.isCollection) throw conflict('The parent collection does not exist');
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

/**
 * A new file must not inherit properties a previous file of that name left
 * behind (one deleted outside WebDAV, by the photo library or on disk).
 */
async function forgetStaleProperties(properties: DeadPropertyStore | undefined, target: ShareTarget): Promise<void> {
  await properties?.removeTree({ mount: target.share.mount, path: target.path });
}

/**
 * A PUT refused before its body was read leaves that body on the wire; Node
 * would read and discard all of it to reuse the connection. Closing instead
 * means a refused 4 GB upload is not received anyway (DESIGN §5).
 */
function closingWhenUnread(ctx: Context, error: unknown): unknown {
  if (!(error instanceof DavError) || ctx.req.readableEnded || !hasBody(ctx.req)) return error;
  return new DavError(error.status, error.message, {
    condition: error.condition,
    conditionXml: error.conditionXml,
    headers: { ...error.headers, Connection: 'close' },
  });
}
