/**
 * Replays of clients that cannot run here (Windows Explorer, macOS Finder,
 * Total Commander, gvfs, Android file managers): raw HTTP/1.1 requests over
 * node:http, so that a test controls exactly what goes on the wire (request
 * targets as the client percent-encodes them, absolute-form targets, Host,
 * chunked bodies, `Expect: 100-continue`), plus a namespace-aware reading of
 * multistatus answers that is independent of the plugin's own XML code.
 */
import http from 'node:http';
import xmljs from 'xml-js';
import { basic } from './raw-http.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  /** True when the server answered `100 Continue` before the final status. */
  readonly continued: boolean;
  /** A header's value as one string ('' when absent). */
  header(name: string): string;
}

export interface RawRequestOptions {
  /** Extra headers; `undefined` removes a default one (e.g. Authorization). */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** A body sent with Content-Length. */
  readonly body?: string | Buffer;
  /** A body sent with `Transfer-Encoding: chunked`, one chunk per entry ([] = an empty chunked body). */
  readonly chunks?: readonly (string | Buffer)[];
  /** Send `Expect: 100-continue` and hold the body back until the server says 100 (or answers). */
  readonly expectContinue?: boolean;
  /** Credentials for this request; null sends none. Default: the client's. */
  readonly credentials?: { user: string; password: string } | null;
}

export interface ClientIdentity {
  /** The User-Agent the client sends on every request. */
  readonly userAgent: string;
  readonly user?: string;
  readonly password?: string;
  /** Headers the client sends on every request (e.g. Windows' `translate: f`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One client with one persistent connection, like the real ones: requests go
 * out one after the other with the client's User-Agent and credentials.
 */
export class ReplayClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly host: string;
  private readonly port: number;

  constructor(
    origin: string,
    private readonly identity: ClientIdentity,
  ) {
    const url = new URL(origin);
    this.host = url.hostname;
    this.port = Number(url.port);
  }

  /** `target` goes on the request line exactly as given (percent-encoding, absolute-form and all). */
  send(method: string, target: string, options: RawRequestOptions = {}): Promise<RawResponse> {
    const headers: Record<string, string> = { 'User-Agent': this.identity.userAgent, ...this.identity.headers };
    const credentials =
      options.credentials === undefined
        ? this.identity.user !== undefined
          ? { user: this.identity.user, password: this.identity.password ?? '' }
          : null
        : options.credentials;
    if (credentials) headers['Authorization'] = basic(credentials.user, credentials.password);
    if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
    if (options.chunks !== undefined) headers['Transfer-Encoding'] = 'chunked';
    if (options.expectContinue) headers['Expect'] = '100-continue';
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      for (const existing of Object.keys(headers))
        if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
      if (value !== undefined) headers[name] = value;
    }

    return new Promise<RawResponse>((resolve, reject) => {
      let continued = false;
      const req = http.request({ host: this.host, port: this.port, method, path: target, headers, agent: this.agent });
      const writeBody = (): void => {
        if (options.chunks !== undefined) {
          for (const chunk of options.chunks) if (Buffer.byteLength(chunk) > 0) req.write(chunk);
          req.end();
        } else {
          req.end(options.body);
        }
      };
      req.on('error', reject);
      req.on('continue', () => {
        continued = true;
        writeBody();
      });
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          // A final answer without 100: the body was never invited, never sent; the connection is spent.
          if (options.expectContinue && !continued) req.destroy();
          const body = Buffer.concat(parts);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
            continued,
            header(name: string): string {
              const value = res.headers[name.toLowerCase()];
              return Array.isArray(value) ? value.join(', ') : (value ?? '');
            },
          });
        });
      });
      if (options.expectContinue) req.flushHeaders();
      else writeBody();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

// ---------------------------------------------------------------------------
// XML answers, read with namespaces resolved (an undeclared prefix throws).

export interface XmlNode {
  readonly ns: string;
  readonly local: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  /** The concatenated text of this element and its descendants. */
  readonly text: string;
}

export const DAV = 'DAV:';

/** Parses an XML document; prefixes are resolved with their in-scope declarations. */
export function parseXml(text: string): XmlNode {
  const doc = xmljs.xml2js(text, { compact: false, trim: false }) as xmljs.Element;
  const root = (doc.elements ?? []).find((e) => e.type === 'element');
  if (!root) throw new Error(`no root element in ${JSON.stringify(text.slice(0, 200))}`);
  return resolve(root, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
}

function resolve(element: xmljs.Element, outer: ReadonlyMap<string, string>): XmlNode {
  const scope = new Map(outer);
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(element.attributes ?? {})) {
    if (name === 'xmlns') scope.set('', String(value));
    else if (name.startsWith('xmlns:')) {
      if (String(value) === '') throw new Error(`empty namespace binding ${name}`);
      scope.set(name.slice(6), String(value));
    } else attributes[name] = String(value);
  }
  const name = element.name ?? '';
  const colon = name.indexOf(':');
  const prefix = colon < 0 ? '' : name.slice(0, colon);
  const local = colon < 0 ? name : name.slice(colon + 1);
  const ns = scope.get(prefix);
  if (ns === undefined && prefix !== '') throw new Error(`undeclared namespace prefix "${prefix}" on <${name}>`);
  const children: XmlNode[] = [];
  let text = '';
  for (const child of element.elements ?? []) {
    if (child.type === 'element') {
      const node = resolve(child, scope);
      children.push(node);
      text += node.text;
    } else if (child.type === 'text' || child.type === 'cdata') {
      text += String(child.text ?? child.cdata ?? '');
    }
  }
  return { ns: ns ?? '', local, attributes, children, text };
}

export function child(node: XmlNode, ns: string, local: string): XmlNode | undefined {
  return node.children.find((c) => c.ns === ns && c.local === local);
}

export function childrenNamed(node: XmlNode, ns: string, local: string): XmlNode[] {
  return node.children.filter((c) => c.ns === ns && c.local === local);
}

/** Every descendant (depth first) with this name. */
export function descendants(node: XmlNode, ns: string, local: string): XmlNode[] {
  const found: XmlNode[] = [];
  for (const c of node.children) {
    if (c.ns === ns && c.local === local) found.push(c);
    found.push(...descendants(c, ns, local));
  }
  return found;
}

export interface PropStat {
  readonly status: number;
  readonly props: readonly XmlNode[];
}

export interface MultistatusResponse {
  /** The href as sent (percent-encoded). */
  readonly href: string;
  /** The href's path, percent-decoded as UTF-8. */
  readonly path: string;
  readonly status: number | undefined;
  readonly propstats: readonly PropStat[];
  /** A property answered with 200, or undefined. */
  prop(ns: string, local: string): XmlNode | undefined;
  /** The status a property was answered with, or undefined when it is not in the answer. */
  statusOf(ns: string, local: string): number | undefined;
}

function statusCode(node: XmlNode | undefined): number | undefined {
  if (!node) return undefined;
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(node.text.trim());
  if (!m) throw new Error(`malformed status line ${JSON.stringify(node.text)}`);
  return Number(m[1]);
}

/** Parses a 207 body into its responses; throws when it is not a DAV:multistatus. */
export function parseMultistatus(text: string): MultistatusResponse[] {
  const root = parseXml(text);
  if (root.ns !== DAV || root.local !== 'multistatus')
    throw new Error(`not a DAV:multistatus: {${root.ns}}${root.local}`);
  return childrenNamed(root, DAV, 'response').map((response) => {
    const href = child(response, DAV, 'href')?.text.trim() ?? '';
    const propstats = childrenNamed(response, DAV, 'propstat').map((ps) => ({
      status: statusCode(child(ps, DAV, 'status')) ?? 0,
      props: child(ps, DAV, 'prop')?.children ?? [],
    }));
    const find = (ns: string, local: string): { status: number; node: XmlNode } | undefined => {
      for (const ps of propstats) {
        const node = ps.props.find((p) => p.ns === ns && p.local === local);
        if (node) return { status: ps.status, node };
      }
      return undefined;
    };
    return {
      href,
      path: decodeURIComponent(href.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]+/i, '')),
      status: statusCode(child(response, DAV, 'status')),
      propstats,
      prop: (ns, local) => {
        const found = find(ns, local);
        return found?.status === 200 ? found.node : undefined;
      },
      statusOf: (ns, local) => find(ns, local)?.status,
    };
  });
}

/** The PROPFIND body asking for these DAV: properties by name. */
export function propfindBody(
  names: readonly string[],
  extra: { ns: string; prefix: string; names: readonly string[] } | undefined = undefined,
): string {
  const ext = extra ? ` xmlns:${extra.prefix}="${extra.ns}"` : '';
  const props =
    names.map((n) => `<D:${n}/>`).join('') + (extra ? extra.names.map((n) => `<${extra.prefix}:${n}/>`).join('') : '');
  return `<?xml version="1.0" encoding="utf-8" ?><D:propfind xmlns:D="DAV:"${ext}><D:prop>${props}</D:prop></D:propfind>`;
}

/** The opaque token from a Lock-Token header (`<urn:uuid:...>` → `urn:uuid:...`). */
export function lockToken(response: RawResponse): string {
  const m = /^<([^>]+)>$/.exec(response.header('lock-token').trim());
  if (!m) throw new Error(`no Lock-Token in the ${response.status} answer: ${JSON.stringify(response.headers)}`);
  return m[1]!;
}
