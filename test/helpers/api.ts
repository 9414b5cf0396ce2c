/**
 * Calls of the plugin's JSON API (/api/plugins/webdav/...) as a logged-in
 * browser would make them, for the API and browser tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import AjvModule from 'ajv';
import type { WebLogin } from './host-process.js';
import { REPO_ROOT } from './host-process.js';

export const API = '/api/plugins/webdav';

export interface CallOptions {
  /** Whose session cookie to send; none: anonymous. */
  readonly as?: WebLogin;
  /** The CSRF token to send: the session's by default on state-changing calls; false sends none. */
  readonly csrf?: string | false;
  /** Sent as JSON unless `raw` is given. */
  readonly body?: unknown;
  readonly raw?: string;
  readonly headers?: Record<string, string>;
}

export interface ApiAnswer {
  readonly status: number;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the fields of the answer it expects
  readonly json: any;
}

export async function call(
  base: string,
  method: string,
  pathname: string,
  options: CallOptions = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.as) headers['cookie'] = options.as.cookie;
  const csrf = options.csrf ?? (method === 'GET' ? false : (options.as?.csrfToken ?? false));
  if (csrf !== false) headers['x-csrf-token'] = csrf;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${API}${pathname}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, text, json };
}

const Ajv = AjvModule.default ?? AjvModule;
const ajv = new Ajv({ allErrors: true });

/** Throws with ajv's errors unless `value` matches schemas/<name>. */
export function assertSchema(name: string, value: unknown): void {
  const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas', name), 'utf8')) as { $id?: string };
  const validate = ajv.getSchema(schema.$id ?? name) ?? ajv.compile(schema);
  if (!validate(value))
    throw new Error(`${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value, null, 2)}`);
}
