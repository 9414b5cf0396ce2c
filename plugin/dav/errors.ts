/**
 * A typed protocol error: every handler and helper throws this (or returns a
 * status), and one middleware turns it into the HTTP answer.
 *
 * `condition` names a precondition/postcondition element of RFC 4918 §16
 * (e.g. `propfind-finite-depth`, `lock-token-submitted`); when present the body
 * is `<D:error><D:condition/></D:error>`. `conditionXml` is the element's
 * inner content (e.g. the hrefs of `lock-token-submitted`).
 */
export class DavError extends Error {
  readonly status: number;
  readonly condition?: string;
  readonly conditionXml?: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    message: string,
    options: { condition?: string; conditionXml?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'DavError';
    this.status = status;
    this.condition = options.condition;
    this.conditionXml = options.conditionXml;
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (message: string): DavError => new DavError(400, message);
export const forbidden = (message: string, condition?: string): DavError => new DavError(403, message, { condition });
export const notFound = (message = 'Not found'): DavError => new DavError(404, message);
export const conflict = (message: string): DavError => new DavError(409, message);
export const preconditionFailed = (message: string): DavError => new DavError(412, message);
