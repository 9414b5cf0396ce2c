/**
 * Hand-written on purpose: this is what keeps a COPY or MOVE inside the caller's shares.
 *
 * The Destination header (RFC 4918 §10.3) and, shared with the If header's
 * resource tags (§10.4), the normalisation of a reference that names a
 * resource of this server.
 *
 * A reference is either an absolute URI (`http://host:port/path`; Windows
 * sends `https://` even when a TLS-terminating proxy makes the request reach
 * us over plain HTTP, so the scheme is not compared) or an absolute path
 * (`/webdav/x/y`, Total Commander). An absolute URI names this server when
 * its authority matches the request's Host header, the origin the client used
 * as the host reports it (behind a trusted proxy: X-Forwarded-Proto and
 * X-Forwarded-Host, so a proxy that rewrites Host still works), or the
 * authority of the configured public base URL:
 *
 * - hosts are compared case-insensitively (IPv6 literals in brackets);
 * - a URI without a port matches on the host alone;
 * - a URI with a port matches when it equals the Host header's port, where a
 *   missing port on either side means the default port of the URI's scheme
 *   (80 for http, 443 for https); against the public origin or base URL, a
 *   missing port there means the default port of their own scheme.
 *
 * Userinfo (`user@`) in the authority is ignored. Only the authority of the
 * base URL counts, not its path. The path goes through the same decoding as
 * the request target ({@link parseRequestPath}): same 400s, a `#` is a 400.
 * Relative references (`foo/bar`, `../x`, `//host/x`) are a 400.
 */
import { DavError } from '../errors.js';
import { parseRequestPath, quoteForMessage, type RequestPath } from '../paths.js';

export interface RequestAuthority {
  /** The request's Host header. */
  host: string | undefined;
  /** The server's public URL (behind a proxy), e.g. `https://photos.example.org/`. */
  baseUrl?: string;
  /**
   * The origin the client used, as the host tells it (`ctx.state.publicOrigin`,
   * proxy-aware when the host trusts a proxy), e.g. `https://photos.example.org:8443`.
   */
  publicOrigin?: string;
}

/** Where a reference points: a path of this server, or a resource elsewhere. */
export type ResolvedReference =
  { readonly kind: 'local'; readonly path: RequestPath } | { readonly kind: 'foreign'; readonly reference: string };

/** Missing → 400; on another server → 502 ("Destination is on another server"); malformed → 400. */
export function parseDestination(value: string | undefined, request: RequestAuthority): RequestPath {
  if (value === undefined || value.trim() === '') throw new DavError(400, 'Missing Destination header');
  const resolved = resolveReference(value, request, 'Destination');
  if (resolved.kind === 'foreign') throw new DavError(502, 'Destination is on another server');
  return resolved.path;
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };

/**
 * Normalises a reference (Destination value, If resource tag) to a path of
 * this server, or reports it as foreign (another host or port, or a scheme
 * other than http/https). Malformed or relative → DavError 400 naming `what`.
 */
export function resolveReference(value: string, request: RequestAuthority, what: string): ResolvedReference {
  const ref = value.trim();
  if (ref === '') throw new DavError(400, `Empty ${what}`);
  if (ref.includes('#')) throw new DavError(400, `Bad ${what}: fragment in URI`);
  if (ref.startsWith('//')) throw new DavError(400, `Bad ${what}: network-path references are not supported`);
  if (ref.startsWith('/')) return { kind: 'local', path: parseRequestPath(ref) };

  const scheme = SCHEME.exec(ref);
  if (!scheme) throw new DavError(400, `Bad ${what}: ${quoteForMessage(ref)} is a relative reference`);
  const schemeName = scheme[1]!.toLowerCase();
  const rest = ref.slice(scheme[0].length);
  const defaultPort = DEFAULT_PORTS[schemeName];
  if (defaultPort === undefined) return { kind: 'foreign', reference: ref };
  if (!rest.startsWith('//')) throw new DavError(400, `Bad ${what}: ${quoteForMessage(ref)} has no authority`);

  const authorityEnd = rest.slice(2).search(/[/?]/);
  const authorityText = authorityEnd < 0 ? rest.slice(2) : rest.slice(2, 2 + authorityEnd);
  const pathPart = authorityEnd < 0 ? '' : rest.slice(2 + authorityEnd);
  const authority = parseAuthority(authorityText.slice(authorityText.lastIndexOf('@') + 1));
  if (!authority) throw new DavError(400, `Bad ${what}: malformed authority in ${quoteForMessage(ref)}`);

  const sameServer =
    matchesHost(authority, defaultPort, request.host) ||
    matchesOrigin(authority, defaultPort, request.publicOrigin) ||
    matchesOrigin(authority, defaultPort, request.baseUrl);
  if (!sameServer) return { kind: 'foreign', reference: ref };
  const path = pathPart.startsWith('/') ? pathPart : `/${pathPart}`;
  return { kind: 'local', path: parseRequestPath(path) };
}

interface Authority {
  host: string;
  port: number | undefined;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`; host lower-cased. Null when malformed. */
export function parseAuthority(text: string): Authority | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]@/?#]+)(?::(\d*))?$/.exec(text);
  if (!m) return null;
  let port: number | undefined;
  if (m[2] !== undefined && m[2] !== '') {
    port = Number(m[2]);
    if (!Number.isInteger(port) || port > 65535) return null;
  }
  return { host: m[1]!.toLowerCase(), port };
}

function portsMatch(uri: Authority, other: Authority, otherDefaultPort: number): boolean {
  if (uri.port === undefined) return true;
  return uri.port === (other.port ?? otherDefaultPort);
}

function matchesHost(uri: Authority, defaultPort: number, hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const host = parseAuthority(hostHeader.trim());
  if (!host || host.host !== uri.host) return false;
  // The Host header's default port is unknown (it depends on the scheme the
  // client used); take the URI's, so `https://h:443/` matches `Host: h`.
  return portsMatch(uri, host, defaultPort);
}

/** Against a URL (the public origin, the base URL): its own scheme gives its default port. */
function matchesOrigin(uri: Authority, defaultPort: number, origin: string | undefined): boolean {
  if (!origin) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const base = parseAuthority(url.host);
  if (!base || base.host !== uri.host) return false;
  const baseDefault = DEFAULT_PORTS[url.protocol.replace(/:$/, '')] ?? defaultPort;
  return portsMatch(uri, base, baseDefault);
}
