/**
 * The plain-HTTP listener of `server.acme.httpport` (default 80): it answers
 * the CA's HTTP-01 challenges (RFC 8555 §8.3: GET
 * /.well-known/acme-challenge/TOKEN, the key authorization as the body) and
 * sends every other request to HTTPS: 301 for GET and HEAD, which every
 * client follows; 308 for the rest, since a client may turn a 301'd method
 * into GET and lose a PUT's body or a PROPFIND (RFC 9110 §15.4.2, §15.4.9).
 */
import http from 'node:http';
import { TIMEOUTS } from './timeouts.js';

const CHALLENGE = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/;

export interface AcmeListenerOptions {
  readonly challenges: ReadonlyMap<string, string>;
  /** The names the certificate is for; a redirect goes to one of them, never to a name a stranger sent. */
  readonly domains: readonly string[];
  /** Where the main listener is now (HTTP until the first certificate arrives). */
  readonly main: () => { scheme: 'http' | 'https'; port: number };
}

function redirectTarget(req: http.IncomingMessage, options: AcmeListenerOptions): string {
  const asked = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const name = options.domains.find((d) => d.toLowerCase() === asked) ?? options.domains[0]!;
  const { scheme, port } = options.main();
  const standard = scheme === 'https' ? 443 : 80;
  const target = req.url?.startsWith('/') ? req.url : '/';
  return `${scheme}://${name}${port === standard ? '' : `:${port}`}${target}`;
}

export function createAcmeListener(options: AcmeListenerOptions): http.Server {
  const server = http.createServer(
    { requestTimeout: TIMEOUTS.headers, headersTimeout: TIMEOUTS.headers, keepAliveTimeout: TIMEOUTS.keepAlive },
    (req, res) => {
      const token = CHALLENGE.exec((req.url ?? '').split('?')[0]!)?.[1];
      if (token !== undefined && (req.method === 'GET' || req.method === 'HEAD')) {
        const answer = options.challenges.get(token);
        res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : (answer ?? 'no such challenge'));
        return;
      }
      const status = req.method === 'GET' || req.method === 'HEAD' ? 301 : 308;
      res.writeHead(status, { location: redirectTarget(req, options), 'content-type': 'text/plain' });
      res.end('Moved to HTTPS');
    },
  );
  server.setTimeout(TIMEOUTS.idle);
  return server;
}
