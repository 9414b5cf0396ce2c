/**
 * fetch() for the plugin's JSON API: same-origin cookies, the CSRF token on
 * every state-changing call, and errors that keep the server's message and
 * per-field errors.
 */

export const API = '/api/plugins/webdav';

/**
 * Why a call failed, as far as the page must act on it:
 *   logged-out    the session expired (401): nothing works until the admin logs in again
 *   plugin-off    the host answered 404 itself, not the plugin: the plugin was switched off
 *   stale-page    the CSRF token of this page no longer matches the session (logged in again elsewhere)
 *   unreachable   no answer at all
 *   refused       the plugin said no (its message says why)
 */
export type FailureReason = 'logged-out' | 'plugin-off' | 'stale-page' | 'unreachable' | 'refused';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Readonly<Record<string, string>> = {},
    readonly reason: FailureReason = 'refused',
  ) {
    super(message);
  }
}

/** The token the host placed on the element (`csrf-token`) or in the page (`<meta name="csrf-token">`). */
export function csrfTokenOf(element: Element): string {
  return (
    element.getAttribute('csrf-token') ??
    document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ??
    ''
  );
}

export async function call<T>(element: Element, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') headers['x-csrf-token'] = csrfTokenOf(element);
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiFailure(0, 'The server cannot be reached. Check the connection and try again.', {}, 'unreachable');
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: an error page of a proxy, say
  }
  if (!res.ok) throw failureOf(res, data);
  return data as T;
}

/** Every error of the plugin's API is JSON with an `error` text; anything else came from the host or a proxy. */
function failureOf(res: Response, data: unknown): ApiFailure {
  const d = (data ?? {}) as { error?: unknown; fields?: Record<string, string> };
  const fromPlugin = typeof d.error === 'string';
  if (res.status === 401) return new ApiFailure(401, 'You are logged out.', {}, 'logged-out');
  if (res.status === 404 && !fromPlugin) {
    return new ApiFailure(404, 'The WebDAV plugin is switched off.', {}, 'plugin-off');
  }
  if (res.status === 403 && fromPlugin && /CSRF/.test(d.error as string)) {
    return new ApiFailure(
      403,
      'This page belongs to an earlier login (you logged in again, perhaps in another tab). Reload the page and try again.',
      {},
      'stale-page',
    );
  }
  const message = fromPlugin ? (d.error as string) : `The server answered ${res.status} ${res.statusText}`.trim();
  return new ApiFailure(res.status, message, d.fields ?? {});
}
