/**
 * How many bytes of body a request brought and its answer carried: what the
 * audit log records as "bytes in" and "bytes out".
 *
 * Not the socket's counters: they include the request line, the headers and
 * the chunk framing (a 13-byte PUT counted as 220 bytes), and Node reads the
 * next request of a kept-alive connection into the same counter.
 *
 * - In: Node's HTTP parser hands every piece of a body, already de-chunked,
 *   to the request stream's push(). Counting there sees each byte whoever
 *   reads it, and whether anyone does; a 'data' listener would instead set
 *   the stream flowing and drop what its reader had not asked for yet. What
 *   the parser pushed before counting began (a small body arrives with its
 *   headers) is still in the stream's buffer, since nothing reads a WebDAV
 *   body before the plugin's filters run.
 * - Out: every write() and end() of the response, as handed to Node; an
 *   answer that may carry no body (HEAD, 1xx, 204, 304: RFC 9110 §6.4.1)
 *   counts none, as Node sends none.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface BodyBytes {
  /** Bytes of the request body received so far. */
  received(): number;
  /** Bytes of the response body sent so far. */
  sent(): number;
}

type Chunk = string | Uint8Array;

function sizeOf(chunk: unknown, encoding: unknown): number {
  if (typeof chunk === 'string')
    return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return chunk instanceof Uint8Array ? chunk.byteLength : 0;
}

/** Starts counting the bodies of one exchange; call it before anything reads the request body. */
export function countBodyBytes(req: IncomingMessage, res: ServerResponse): BodyBytes {
  let received = req.readableLength;
  const push = req.push;
  req.push = function (chunk: unknown, encoding?: BufferEncoding): boolean {
    received += sizeOf(chunk, encoding);
    return push.call(this, chunk, encoding);
  };

  let sent = 0;
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: Chunk, ...rest: unknown[]): boolean {
    sent += sizeOf(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, ...args: unknown[]): ServerResponse {
    if (typeof args[0] !== 'function') sent += sizeOf(args[0], args[1]);
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['end'];

  return {
    received: () => received,
    sent: () => (mayHaveBody(req, res) ? sent : 0),
  };
}

function mayHaveBody(req: IncomingMessage, res: ServerResponse): boolean {
  const status = res.statusCode;
  return req.method !== 'HEAD' && status >= 200 && status !== 204 && status !== 304;
}
