/**
 * Hand-written on purpose: no library parses this grammar, and its resource tags must be held to the caller's shares.
 *
 * The If header (RFC 4918 §10.4): parsing, and an evaluator that asks the
 * caller for the state of each resource it names.
 *
 * ```
 * If            = "If" ":" ( 1*No-tag-list | 1*Tagged-list )
 * No-tag-list   = List
 * Tagged-list   = Resource-Tag 1*List
 * List          = "(" 1*Condition ")"
 * Condition     = ["Not"] (State-token | "[" entity-tag "]")
 * State-token   = Coded-URL                 ; "<" absolute-URI ">"
 * Resource-Tag  = "<" Simple-ref ">"        ; absolute-URI | path-absolute ["?" query]
 * ```
 *
 * LWS (space, tab, CR, LF) is allowed between tokens; "Not" is matched
 * case-insensitively (ABNF literals are), `W/` case-sensitively. Mixing tagged
 * and untagged lists, an empty list, a state token that is not an absolute
 * URI, or anything else outside the grammar is a DavError 400.
 *
 * Resource tags are normalised like Destination ({@link resolveReference}):
 * absolute URLs (neon sends them) and absolute paths both become a
 * {@link RequestPath}. A tag naming another server (other host/port, or a
 * scheme other than http/https) yields a list with `foreign: true`; such a
 * list can never be true, and its tokens do not count as submitted.
 */
import { DavError } from '../errors.js';
import { parseRequestPath, quoteForMessage, type RequestPath } from '../paths.js';
import { resolveReference, type RequestAuthority } from './destination.js';

export interface IfCondition {
  not: boolean;
  kind: 'token' | 'etag';
  /** token: the URI inside `<>`; etag: the entity-tag incl. quotes and `W/` prefix as sent. */
  value: string;
}

export interface IfList {
  /**
   * The tagged resource, or null for an untagged list (which applies to the
   * request URI). For a foreign tag this is the best-effort path of the
   * foreign URL (empty segments when it cannot be decoded): check `foreign`.
   */
  resource: RequestPath | null;
  conditions: IfCondition[];
  /** The tag names a resource on another server: the list is never true. Always set by parseIfHeader. */
  foreign?: boolean;
  /** The resource tag as sent (inside `<>`), null when untagged. Always set by parseIfHeader. */
  tag?: string | null;
}

const LWS = /[ \t\r\n]/;
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*$/;

/** Parses an If header value; DavError 400 when malformed. */
export function parseIfHeader(value: string, request: RequestAuthority): IfList[] {
  const s = value;
  let i = 0;
  const fail = (why: string): never => {
    throw new DavError(400, `Malformed If header: ${why} (at offset ${i} of ${quoteForMessage(s)})`);
  };
  const skipLws = (): void => {
    while (i < s.length && LWS.test(s[i]!)) i++;
  };
  const readUntil = (close: string, what: string): string => {
    const end = s.indexOf(close, i + 1);
    if (end < 0) fail(`unterminated ${what}`);
    const inner = s.slice(i + 1, end);
    i = end + 1;
    return inner;
  };

  const parseCondition = (): IfCondition => {
    let not = false;
    if (s.slice(i, i + 3).toLowerCase() === 'not') {
      not = true;
      i += 3;
      skipLws();
    }
    if (s[i] === '<') {
      const token = readUntil('>', 'state token');
      if (!ABSOLUTE_URI.test(token)) fail(`state token ${quoteForMessage(`<${token}>`)} is not an absolute URI`);
      return { not, kind: 'token', value: token };
    }
    if (s[i] === '[') {
      i++;
      const start = i;
      if (s.startsWith('W/', i)) i += 2;
      if (s[i] !== '"') fail('entity-tag must be a quoted string');
      const close = s.indexOf('"', i + 1);
      if (close < 0) fail('unterminated entity-tag');
      const etag = s.slice(start, close + 1);
      i = close + 1;
      // RFC 9110 etagc excludes spaces, but RFC 4918's own examples use them.
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
      if (/[\u0000-\u001f\u007f]/.test(etag)) fail('entity-tag contains control characters');
      if (s[i] !== ']') fail('expected "]" after the entity-tag');
      i++;
      return { not, kind: 'etag', value: etag };
    }
    return fail('expected a state token <...> or an entity-tag [...]');
  };

  const parseList = (): IfCondition[] => {
    i++; // "("
    const conditions: IfCondition[] = [];
    for (;;) {
      skipLws();
      if (i >= s.length) fail('unterminated list');
      if (s[i] === ')') break;
      conditions.push(parseCondition());
    }
    i++; // ")"
    if (conditions.length === 0) fail('empty list');
    return conditions;
  };

  const lists: IfList[] = [];
  let tagged: boolean | undefined;
  skipLws();
  if (i >= s.length) fail('empty header');
  while (i < s.length) {
    if (s[i] === '<') {
      if (tagged === false) fail('tagged and untagged lists mixed');
      tagged = true;
      const tag = readUntil('>', 'resource tag');
      const resolved = resolveReference(tag, request, 'If header resource tag');
      const resource = resolved.kind === 'local' ? resolved.path : foreignPath(tag);
      skipLws();
      if (s[i] !== '(') fail('a resource tag must be followed by a list');
      while (s[i] === '(') {
        lists.push({ resource, conditions: parseList(), foreign: resolved.kind === 'foreign', tag });
        skipLws();
      }
    } else if (s[i] === '(') {
      if (tagged === true) fail('tagged and untagged lists mixed');
      tagged = false;
      lists.push({ resource: null, conditions: parseList(), foreign: false, tag: null });
      skipLws();
    } else {
      fail('expected "(" or "<"');
    }
  }
  return lists;
}

/** The path of a foreign URL, for information only; never used to match. */
function foreignPath(tag: string): RequestPath {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*(\/[^?]*)?/.exec(tag.trim());
  try {
    if (m?.[1]) return parseRequestPath(m[1]);
  } catch {
    // fall through
  }
  return { segments: [], trailingSlash: false };
}

/**
 * Every state token in a non-Not condition of a list that is not foreign,
 * once each, in order of appearance: the lock tokens the client submits
 * (RFC 4918 §10.4.1, lock-token-submitted).
 */
export function submittedLockTokens(lists: readonly IfList[]): string[] {
  const tokens = new Set<string>();
  for (const list of lists) {
    if (list.foreign) continue;
    for (const c of list.conditions) if (c.kind === 'token' && !c.not) tokens.add(c.value);
  }
  return [...tokens];
}

export interface ResourceState {
  /**
   * The resource's entity tag as sent in the ETag header (quotes included;
   * a bare value is taken as the opaque-tag and quoted); null = the resource
   * does not exist.
   */
  etag: string | null;
  /** The tokens of the locks on (or covering) the resource. */
  lockTokens: readonly string[];
}

/**
 * Whether the If header holds: true if any list is true; a list is true when
 * all its conditions are. A token condition holds when the resource's
 * lockTokens include it (exact string compare: `<DAV:no-lock>` and other
 * non-lock state tokens never match); an etag condition uses the strong
 * comparison (a weak tag on either side never matches); `Not` negates.
 * Untagged lists apply to `requestPath`; tagged lists to their resource
 * (paths compared by segments, trailing slash ignored); foreign lists are
 * false. `stateOf` is called at most once per distinct path, lazily.
 * An empty array of lists (no header) is true.
 */
export async function evaluateIf(
  lists: readonly IfList[],
  requestPath: RequestPath,
  stateOf: (p: RequestPath) => Promise<ResourceState>,
): Promise<boolean> {
  if (lists.length === 0) return true;
  const cache = new Map<string, Promise<ResourceState>>();
  const state = (p: RequestPath): Promise<ResourceState> => {
    const key = `/${p.segments.join('/')}`;
    let found = cache.get(key);
    if (!found) {
      found = stateOf(p);
      cache.set(key, found);
    }
    return found;
  };
  for (const list of lists) {
    if (list.foreign) continue;
    const resourceState = await state(list.resource ?? requestPath);
    if (list.conditions.every((c) => conditionHolds(c, resourceState))) return true;
  }
  return false;
}

function conditionHolds(condition: IfCondition, state: ResourceState): boolean {
  const matches =
    condition.kind === 'token'
      ? state.lockTokens.includes(condition.value)
      : state.etag !== null && strongEtagMatch(condition.value, state.etag);
  return condition.not ? !matches : matches;
}

/** RFC 9110 §8.8.3.2 strong comparison: both strong and the same opaque-tag. */
export function strongEtagMatch(a: string, b: string): boolean {
  const x = normaliseEtag(a);
  const y = normaliseEtag(b);
  return !x.startsWith('W/') && !y.startsWith('W/') && x === y;
}

function normaliseEtag(etag: string): string {
  const t = etag.trim();
  if (t.startsWith('"') || t.startsWith('W/"')) return t;
  return `"${t}"`;
}
