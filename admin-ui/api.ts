/**
 * fetch() for the plugin's JSON API: same-origin cookies, the CSRF token on
 * every state-changing call, and errors that keep the server's message and
 * per-field errors.
 */

export const API = '/api/plugins/webdav';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Readonly<Record<string, string>> = {},
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
    throw new ApiFailure(0, 'The server cannot be reached. Check the connection and try again.');
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: an error page of a proxy, say
  }
  if (!res.ok) {
    const d = (data ?? {}) as { error?: string; fields?: Record<string, string> };
    const message =
      d.error ??
      (res.status === 401
        ? 'You are logged out. Log in again.'
        : `The server answered ${res.status} ${res.statusText}`.trim());
    throw new ApiFailure(res.status, message, d.fields ?? {});
  }
  return data as T;
}
