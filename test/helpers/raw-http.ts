/**
 * HTTP as the adversarial suites (test/security, test/reliability) send it:
 * one request per fresh connection with the path sent verbatim, and raw
 * bytes on a TCP connection for what no client library would send (CR/LF
 * and NUL in the request line, megabytes of headers, bytes trickled one at
 * a time). Also Basic credentials and two small WebDAV bodies.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  readonly ms: number;
}

export interface RequestOptions {
  readonly method?: string;
  /** Sent exactly as given: node:http does not normalise `..` or percent escapes. */
  readonly path: string;
  readonly headers?: Record<string, string | number | string[]>;
  readonly body?: string | Buffer;
  /** The client's source address, e.g. 127.0.0.2 (every 127/8 address reaches 127.0.0.1 on Linux). */
  readonly localAddress?: string;
  readonly timeoutMs?: number;
}

/** One request on a fresh connection, the path sent verbatim. */
export function send(port: number, options: RequestOptions): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        localAddress: options.localAddress,
        agent: false,
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
            ms: Date.now() - started,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(
        new Error(`${options.method ?? 'GET'} ${options.path}: no answer within ${options.timeoutMs ?? 30_000} ms`),
      ),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface RawAnswer {
  /** Everything the server sent. */
  readonly text: string;
  /** The status of the first final (non-1xx) answer, or 0 when none came. */
  readonly status: number;
  /** Whether the server closed the connection. */
  readonly closed: boolean;
  readonly ms: number;
}

/**
 * Writes `data` on a raw TCP connection and collects what comes back until
 * the server closes the connection or `timeoutMs` passes (then the client
 * closes it). For what node:http refuses to send: CR/LF and NUL in the
 * request line, megabytes of headers, bytes trickled one at a time.
 */
export function rawExchange(
  port: number,
  data: string | Buffer | ((write: (chunk: string | Buffer) => boolean, isOpen: () => boolean) => void),
  options: { readonly timeoutMs?: number; readonly localAddress?: string; readonly untilStatus?: boolean } = {},
): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: options.localAddress });
    let text = '';
    let closed = false;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, status: finalStatus(text), closed, ms: Date.now() - started });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 10_000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (options.untilStatus && finalStatus(text) !== 0 && /\r\n\r\n/.test(text)) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', () => {
      if (typeof data === 'function')
        data(
          (chunk) => (!socket.destroyed ? socket.write(chunk) : false),
          () => !done && !socket.destroyed,
        );
      else socket.write(data);
    });
  });
}

function finalStatus(text: string): number {
  for (const m of text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)) {
    const status = Number(m[1]);
    if (status >= 200) return status;
  }
  return 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A PROPPATCH body setting one dead property. */
export const PROPPATCH_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:test:"><D:set><D:prop><Z:note>x</Z:note></D:prop></D:set></D:propertyupdate>';

/** A LOCK body asking for an exclusive write lock. */
export const LOCK_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>t</D:owner></D:lockinfo>';
