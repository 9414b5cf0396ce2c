/**
 * Small helpers shared by the protocol/lock-*.test.ts files: LOCK/UNLOCK requests
 * and the bits of their answers the tests look at.
 */
import assert from 'node:assert/strict';
import type { Harness } from './plugin-harness.js';

export const dav = (name = ''): string => `/webdav/main/${name}`;

/** alice and carol may use the share "main"; bob may not. */
export const USERS = {
  alice: { password: 'alice-pw', groups: ['WebDAV.main'] },
  carol: { password: 'carol-pw', groups: ['WebDAV.main'] },
  bob: { password: 'bob-pw', groups: [] },
};

export interface LockOptions {
  scope?: 'exclusive' | 'shared';
  /** The Depth header; undefined sends none. */
  depth?: string;
  timeout?: string;
  user?: string;
  /** Inner XML of DAV:owner; null sends no owner element. */
  owner?: string | null;
  headers?: Record<string, string>;
}

export interface LockAnswer {
  status: number;
  /** The token of the Lock-Token header, without the angle brackets ('' when absent). */
  token: string;
  body: string;
  headers: Headers;
}

export function lockInfo(
  scope: 'exclusive' | 'shared' = 'exclusive',
  owner: string | null = '<D:href>mailto:alice@example.org</D:href>',
): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:${scope}/></D:lockscope><D:locktype><D:write/></D:locktype>` +
    (owner === null ? '' : `<D:owner>${owner}</D:owner>`) +
    '</D:lockinfo>'
  );
}

export async function lock(h: Harness, path: string, options: LockOptions = {}): Promise<LockAnswer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/xml; charset=utf-8', ...options.headers };
  if (options.depth !== undefined) headers['Depth'] = options.depth;
  if (options.timeout !== undefined) headers['Timeout'] = options.timeout;
  const res = await h.fetch(path, {
    method: 'LOCK',
    headers,
    body: lockInfo(options.scope, options.owner === undefined ? undefined : options.owner),
    user: options.user ?? 'alice',
  });
  const header = res.headers.get('lock-token') ?? '';
  return { status: res.status, token: header.replace(/^<|>$/g, ''), body: await res.text(), headers: res.headers };
}

/** A LOCK that must succeed; returns its token. */
export async function locked(h: Harness, path: string, options: LockOptions = {}): Promise<string> {
  const answer = await lock(h, path, options);
  assert.ok(answer.status === 200 || answer.status === 201, `LOCK ${path}: ${answer.status} ${answer.body}`);
  assert.match(answer.token, /^urn:uuid:[0-9a-f-]{36}$/);
  return answer.token;
}

export async function unlock(h: Harness, path: string, token: string | null, user = 'alice'): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers['Lock-Token'] = `<${token}>`;
  return h.fetch(path, { method: 'UNLOCK', headers, user });
}

export async function refresh(
  h: Harness,
  path: string,
  ifHeader: string,
  timeout?: string,
  user = 'alice',
): Promise<Response> {
  const headers: Record<string, string> = { If: ifHeader };
  if (timeout !== undefined) headers['Timeout'] = timeout;
  return h.fetch(path, { method: 'LOCK', headers, user });
}

export async function put(
  h: Harness,
  path: string,
  body: string,
  headers: Record<string, string> = {},
  user = 'alice',
): Promise<Response> {
  return h.fetch(path, { method: 'PUT', headers, body, user });
}

/** PROPFIND naming some DAV: properties (e.g. '<D:lockdiscovery/>'); asserts 207 and returns the body. */
export async function propfind(
  h: Harness,
  path: string,
  depth: '0' | '1',
  props: string,
  user = 'alice',
): Promise<string> {
  const res = await h.fetch(path, {
    method: 'PROPFIND',
    headers: { Depth: depth, 'Content-Type': 'application/xml' },
    body: `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>${props}</D:prop></D:propfind>`,
    user,
  });
  const body = await res.text();
  assert.equal(res.status, 207, body);
  return body;
}

/** The `<D:response>` elements of a multistatus, by href. */
export function responses(multistatus: string): Map<string, string> {
  const byHref = new Map<string, string>();
  for (const match of multistatus.matchAll(/<D:response>([\s\S]*?)<\/D:response>/g)) {
    const href = /<D:href>([^<]*)<\/D:href>/.exec(match[1]!)![1]!;
    byHref.set(href, match[1]!);
  }
  return byHref;
}

/** The lock tokens of the activelock elements in a piece of XML. */
export function tokensIn(xml: string): string[] {
  return [...xml.matchAll(/<D:locktoken><D:href>([^<]*)<\/D:href><\/D:locktoken>/g)].map((m) => m[1]!);
}

/** The hrefs inside a `<D:error><D:condition>` body. */
export function conditionHrefs(body: string, condition: string): string[] {
  const inner = new RegExp(`<D:${condition}>([\\s\\S]*?)</D:${condition}>`).exec(body)?.[1] ?? '';
  return [...inner.matchAll(/<D:href>([^<]*)<\/D:href>/g)].map((m) => m[1]!);
}

export const etagOf = async (h: Harness, path: string): Promise<string> => {
  const res = await h.fetch(path, { method: 'HEAD' });
  assert.equal(res.status, 200);
  return res.headers.get('etag')!;
};
