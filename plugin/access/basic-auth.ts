/**
 * HTTP Basic credentials (RFC 7617). The user-id and password are decoded as
 * UTF-8, as §2.1 prescribes with charset="UTF-8" and as every current client
 * sends; bytes that are not valid UTF-8 fall back to ISO-8859-1, which older
 * clients used. The user-id cannot contain a colon, so the first colon splits.
 */
export interface BasicCredentials {
  readonly user: string;
  readonly password: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Credentials longer than this are not credentials: refuse before decoding. */
const MAX_HEADER_LENGTH = 4096;

export function parseBasicAuth(header: string | undefined): BasicCredentials | null {
  if (!header || header.length > MAX_HEADER_LENGTH) return null;
  const match = /^basic[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match || !BASE64.test(match[1]!) || match[1]!.length % 4 !== 0) return null;
  const bytes = Buffer.from(match[1]!, 'base64');
  let decoded: string;
  try {
    decoded = utf8.decode(bytes);
  } catch {
    decoded = latin1.decode(bytes);
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  const user = decoded.slice(0, colon).normalize('NFC');
  const password = decoded.slice(colon + 1);
  // Control characters are never part of a name; a NUL could confuse the host's lookups.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(user)) return null;
  return { user, password };
}
