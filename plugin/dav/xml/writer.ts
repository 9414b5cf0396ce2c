/**
 * Writing DAV XML with our own escaping (xml-js `js2xml` leaves `&` and `<`
 * unescaped in attributes).
 *
 * Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF and
 * CR; U+FFFE, U+FFFF; unpaired surrogates) are replaced by U+FFFD in text
 * and attributes: a file name or property value holding one must not turn a
 * whole multistatus into a document the client cannot parse, and there is
 * no escape for them (`&#1;` is just as illegal).
 */
import { DAV_NS } from './namespaces.js';

const ILLEGAL =
  // eslint-disable-next-line no-control-regex -- these are the characters XML 1.0 forbids
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// eslint-disable-next-line no-control-regex
const TEXT_SPECIAL = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex
const ATTR_SPECIAL = /[&<>"'\t\n\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/;

/**
 * Escapes character data: `&` `<` `>`, and CR as `&#13;` (a raw CR would be
 * turned into LF by the reader's line-end normalisation, XML 1.0 §2.11).
 * Characters illegal in XML 1.0 become U+FFFD (see the module comment).
 */
export function escapeText(s: string): string {
  if (!TEXT_SPECIAL.test(s)) return s;
  return s
    .replace(ILLEGAL, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/**
 * Escapes an attribute value for either quote style: `&` `<` `>` `"` `'`, and
 * tab, LF and CR as character references (attribute-value normalisation
 * would turn them into spaces). Illegal characters become U+FFFD.
 */
export function escapeAttr(s: string): string {
  if (!ATTR_SPECIAL.test(s)) return s;
  return s
    .replace(ILLEGAL, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

// NCName, roughly: what xml-js/sax accept as a name minus the colon. Names
// reaching the writer come from parsed XML or from our own constants; this
// only catches programming errors that would produce broken XML.
const NCNAME = /^[^\s:!"#$%&'()*+,/;<=>?@[\\\]^`{|}~\d.-][^\s:!"#$%&'()*+,/;<=>?@[\\\]^`{|}~]*$/u;

/** Names already checked: a listing writes the same few names for every member. */
const checkedNames = new Set<string>();
const MAX_CHECKED_NAMES = 10_000;

/** Throws (a programming error, not a client error) when `local` is not usable as an element name. */
export function assertLocalName(local: string): void {
  if (checkedNames.has(local)) return;
  if (!NCNAME.test(local)) throw new Error(`Not an XML local name: ${JSON.stringify(local)}`);
  if (checkedNames.size < MAX_CHECKED_NAMES) checkedNames.add(local);
}

/**
 * One property element for a `<D:prop>`: `DAV:` properties use the `D:`
 * prefix the multistatus root declares; others declare their namespace
 * inline (`<x:foo xmlns:x="http://ex/">…</x:foo>`); the empty namespace is
 * `<foo xmlns="">`. `innerXml` is inserted as is (already escaped XML);
 * absent or empty gives an empty element `<D:foo/>`.
 */
export function propXml(ns: string, local: string, innerXml?: string): string {
  assertLocalName(local);
  let open: string;
  let close: string;
  if (ns === DAV_NS) {
    open = `D:${local}`;
    close = open;
  } else if (ns === '') {
    open = `${local} xmlns=""`;
    close = local;
  } else {
    open = `x:${local} xmlns:x="${escapeAttr(ns)}"`;
    close = `x:${local}`;
  }
  return innerXml ? `<${open}>${innerXml}</${close}>` : `<${open}/>`;
}

export interface PropStat {
  status: number;
  props: string[] /* propXml() strings */;
  description?: string;
}

const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  208: 'Already Reported',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
};

/** The reason phrase of a status (RFC 9110 §15, RFC 4918 §11), 'Unknown' for unlisted codes. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Unknown';
}

/** `HTTP/1.1 207 Multi-Status`: the content of a `<D:status>` element. */
export function statusLine(status: number): string {
  if (!Number.isInteger(status) || status < 100 || status > 999) throw new Error(`Not an HTTP status: ${status}`);
  return `HTTP/1.1 ${status} ${reasonPhrase(status)}`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/**
 * An RFC 4918 §16 error body:
 * `<?xml…?><D:error xmlns:D="DAV:"><D:condition>inner</D:condition></D:error>`
 * (`<D:condition/>` without inner XML). `condition` is a DAV: element name.
 */
export function errorBody(condition: string, innerXml?: string): string {
  return `${XML_DECLARATION}<D:error xmlns:D="DAV:">${propXml(DAV_NS, condition, innerXml)}</D:error>\n`;
}

/**
 * The `<D:propstat>` elements of a response, one per group; groups with no
 * props are left out. When every group is empty (e.g. a `<D:prop/>`
 * request), one empty `<D:prop/>` with 200, since a response needs a
 * propstat or a status (RFC 4918 §14.24).
 */
export function propstatsXml(propstats: readonly PropStat[]): string {
  let xml = '';
  for (const ps of propstats) {
    if (ps.props.length === 0) continue;
    xml += `<D:propstat><D:prop>${ps.props.join('')}</D:prop><D:status>${statusLine(ps.status)}</D:status>`;
    if (ps.description) xml += `<D:responsedescription>${escapeText(ps.description)}</D:responsedescription>`;
    xml += '</D:propstat>';
  }
  return xml === '' ? `<D:propstat><D:prop/><D:status>${statusLine(200)}</D:status></D:propstat>` : xml;
}

export interface Sink {
  write(chunk: string | Uint8Array): Promise<void> | void;
}

/** A `<D:response>` whose propstats were already written by {@link propstatsXml}. */
export function responseXml(href: string, propstats: string): string {
  return `<D:response><D:href>${escapeText(href)}</D:href>${propstats}</D:response>`;
}

export interface MultistatusWriterOptions {
  /**
   * Responses are collected until this many characters are pending, then
   * written as one chunk (16 KiB by default: a Depth 1 listing of 10,000
   * photos is a few hundred writes, not 10,000). 0 writes every response
   * as soon as it is complete.
   */
  bufferSize?: number;
}

/**
 * Streams a `<D:multistatus>` (RFC 4918 §13) response by response, so a
 * listing of 100,000 files is never one string in memory. A method returns
 * a promise only when it handed a chunk to the sink (see
 * {@link MultistatusWriterOptions.bufferSize}); awaiting it is how
 * back-pressure reaches the producer, and a listing awaits nothing for the
 * responses that were only buffered. Hrefs are expected already
 * percent-encoded (encodeHref); they are still escaped for XML.
 */
export class MultistatusWriter {
  private readonly sink: Sink;
  private readonly bufferSize: number;
  private pending = '';
  private state: 'new' | 'open' | 'done' = 'new';
  private recorder: ((piece: string | Uint8Array) => void) | null = null;

  constructor(sink: Sink, options: MultistatusWriterOptions = {}) {
    this.sink = sink;
    this.bufferSize = options.bufferSize ?? 16 * 1024;
  }

  /** `<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">` */
  async begin(): Promise<void> {
    if (this.state !== 'new') throw new Error('MultistatusWriter.begin() called twice');
    this.state = 'open';
    await this.emit(`${XML_DECLARATION}<D:multistatus xmlns:D="DAV:">`, false);
  }

  /**
   * A `<D:response>` with one `<D:propstat>` per group (see {@link propstatsXml}).
   */
  propResponse(href: string, propstats: readonly PropStat[]): Promise<void> | void {
    return this.propResponseXml(href, propstatsXml(propstats));
  }

  /** A `<D:response>` whose propstats were already written by {@link propstatsXml}. */
  propResponseXml(href: string, propstats: string): Promise<void> | void {
    this.assertOpen();
    return this.emit(responseXml(href, propstats), false);
  }

  /** Whole `<D:response>` elements as the UTF-8 of {@link responseXml}, kept from an earlier answer. */
  responseBytes(bytes: Uint8Array): Promise<void> | void {
    this.assertOpen();
    // Both are handed over now, in order; the answer waits for the client if either had to.
    const before = this.flushPending();
    const after = this.write(bytes);
    return before ? before.then(() => after) : after;
  }

  /**
   * Hands everything written from now on to `recorder` as well, piece by
   * piece, until stopRecording(): what is recorded is exactly what the
   * client gets between the two calls.
   */
  async record(recorder: (piece: string | Uint8Array) => void): Promise<void> {
    this.assertOpen();
    await this.flushPending();
    this.recorder = recorder;
  }

  async stopRecording(): Promise<void> {
    await this.flushPending();
    this.recorder = null;
  }

  /**
   * A `<D:response>` carrying a status for the href (COPY/MOVE/DELETE/LOCK
   * failures), with an optional `<D:error><D:errorCondition>errorConditionXml</D:errorCondition></D:error>` and
   * `<D:responsedescription>`, in the order RFC 4918 §14.24 gives.
   */
  async statusResponse(
    href: string,
    status: number,
    options: { description?: string; errorCondition?: string; errorConditionXml?: string } = {},
  ): Promise<void> {
    this.assertOpen();
    let xml = `<D:response><D:href>${escapeText(href)}</D:href><D:status>${statusLine(status)}</D:status>`;
    if (options.errorCondition) {
      xml += `<D:error>${propXml(DAV_NS, options.errorCondition, options.errorConditionXml)}</D:error>`;
    }
    if (options.description) xml += `<D:responsedescription>${escapeText(options.description)}</D:responsedescription>`;
    xml += '</D:response>';
    await this.emit(xml, false);
  }

  /** `</D:multistatus>` and everything still buffered. */
  async end(): Promise<void> {
    this.assertOpen();
    this.state = 'done';
    await this.emit('</D:multistatus>\n', true);
  }

  private assertOpen(): void {
    if (this.state !== 'open') {
      throw new Error(this.state === 'new' ? 'MultistatusWriter: begin() first' : 'MultistatusWriter: already ended');
    }
  }

  private emit(text: string, flush: boolean): Promise<void> | void {
    this.pending += text;
    if (flush || this.pending.length >= this.bufferSize) return this.flushPending();
  }

  private flushPending(): Promise<void> | void {
    if (this.pending === '') return;
    const chunk = this.pending;
    this.pending = '';
    return this.write(chunk);
  }

  private write(chunk: string | Uint8Array): Promise<void> | void {
    this.recorder?.(chunk);
    return this.sink.write(chunk);
  }
}
