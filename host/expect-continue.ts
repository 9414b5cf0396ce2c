/**
 * `Expect: 100-continue` (RFC 9110 §10.1.1) and request bodies nobody asked
 * for. The rules the host keeps, which plugin/host-api.ts promises plugins:
 *
 * - Node answers `Expect: 100-continue` with 100 by itself unless the server
 *   listens for `checkContinue`. The host listens, so such a request reaches
 *   the routes with no interim answer.
 * - The route that accepts the body sends the 100: the host's own routes
 *   through `acceptBody`, a plugin's through `ctx.res.writeContinue()`.
 * - That 100 goes out at most once, before the final answer, and only to an
 *   HTTP/1.1 client that asked for it; otherwise it is a no-op (a 100 nobody
 *   waits for is a protocol error, and HTTP/1.0 clients must get none, §15.2).
 * - A final answer sent without a 100 refuses the body: it was never asked
 *   for, so the connection is closed instead of reading (say) a 4 GB upload
 *   only to discard it.
 * - The same holds without `Expect`: an answer that goes out while the body
 *   is still arriving (a 401, 403 or 404 nobody read the body for) closes the
 *   connection. Otherwise Node would keep reading the unwanted body to reuse
 *   the connection, and a client trickling it a byte at a time would hold
 *   the connection for as long as it liked.
 */
import { ServerResponse, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { Server as TlsServer } from 'node:https';
import type { Context } from 'koa';

const expectsContinue = (req: IncomingMessage): boolean =>
  req.headers.expect !== undefined &&
  req.httpVersionMajor === 1 &&
  req.httpVersionMinor >= 1 &&
  /^\s*100-continue\s*$/i.test(req.headers.expect);

/** Whether the request announces a body: a non-zero Content-Length, or any Transfer-Encoding. */
const announcesBody = (req: IncomingMessage): boolean =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

type WriteHead = (this: ServerResponse, status: number, reason?: unknown, headers?: unknown) => ServerResponse;
const NODE_WRITE_HEAD = ServerResponse.prototype.writeHead;

/** A 100 nobody asked for is never sent: the callback still runs, as Node's would after writing. */
function noContinue(callback?: () => void): void {
  if (callback) process.nextTick(callback);
}

/**
 * writeHead of a request that sends a body without `Expect`: shared by all of them,
 * so that the common case costs no closure. `this.req` is the request (Node >= 15.7).
 */
function closingUnlessBodyRead(
  this: ServerResponse,
  status: number,
  reason?: unknown,
  headers?: unknown,
): ServerResponse {
  if (!this.req.complete) this.setHeader('Connection', 'close');
  return (NODE_WRITE_HEAD as WriteHead).call(this, status, reason, headers);
}

/** The rules above for a request that waits for 100 Continue (rare): its own state, in closures. */
function guardContinue(req: IncomingMessage, res: ServerResponse): void {
  let continued = false;
  const writeContinue = res.writeContinue.bind(res);
  res.writeContinue = (callback?: () => void): void => {
    if (!continued && !res.headersSent) {
      continued = true;
      writeContinue(callback);
    } else if (callback) process.nextTick(callback);
  };
  // Node 20 closes such a connection too (shouldKeepAlive = false without _sent100); saying it
  // here keeps the guarantee of host-api.ts independent of Node's internals.
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!continued || !req.complete) this.setHeader('Connection', 'close');
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as typeof res.writeHead;
}

/** `handler` with the rules above: a guarded writeContinue, and Connection: close on a refused body. */
function continueAware(handler: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (expectsContinue(req)) guardContinue(req, res);
    else {
      res.writeContinue = noContinue;
      if (announcesBody(req)) res.writeHead = closingUnlessBodyRead as typeof res.writeHead;
    }
    handler(req, res);
  };
}

/** Serves every request of `server` through `handler`, those waiting for 100 Continue included, under the rules above. */
export function serveDeferringContinue(server: Server | TlsServer, handler: RequestListener): void {
  const aware = continueAware(handler);
  server.on('request', aware);
  server.on('checkContinue', aware);
}

/** Accepts the request's body: a client waiting for 100 Continue may send it now. */
export function acceptBody(ctx: Context): void {
  ctx.res.writeContinue();
}
