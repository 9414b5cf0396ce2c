/**
 * A collection's URL ends with `/`. RFC 4918 §5.2: "when a collection is
 * referred to by its name without a trailing slash, the server MAY handle
 * the request as if the trailing slash were present. In this case, it
 * SHOULD return a Content-Location header in the response, pointing to the
 * URL ending with the '/'." Every method does so here, except GET and HEAD:
 * those answer 301 with Location on the slash form, as Apache, nginx and
 * lighttpd do, so that a client probing with HEAD sees a folder and a
 * browser resolves the index's relative links against the right base.
 */
import type { ResourceInfo } from '../store/store.js';
import type { DavRequest, Resource } from './context.js';
import { ROOT_HREF, hrefOf } from './hrefs.js';

/** The slash form of the Request-URI when it names a collection without its slash; null otherwise. */
function slashForm(request: DavRequest, info: ResourceInfo | null): string | null {
  if (!info?.isCollection || request.requestPath.trailingSlash) return null;
  return request.target ? hrefOf(request.target, true) : ROOT_HREF;
}

/** The target's state, looked at once, with Content-Location set when it is a collection named without its slash. */
export async function statTarget(request: DavRequest, target: Resource): Promise<ResourceInfo | null> {
  const info = await target.store.stat(target.path);
  noteCollectionUrl(request, info);
  return info;
}

export function noteCollectionUrl(request: DavRequest, info: ResourceInfo | null): void {
  const href = slashForm(request, info);
  if (href) request.ctx.set('Content-Location', href);
}

/** For GET and HEAD: answers 301 and says true when the Request-URI names a collection without its slash. */
export function redirectedToCollection(request: DavRequest, info: ResourceInfo | null): boolean {
  const href = slashForm(request, info);
  if (!href) return false;
  const { ctx } = request;
  ctx.status = 301;
  ctx.set('Location', href);
  ctx.type = 'text/plain; charset=utf-8';
  // koa sends no body for HEAD, but keeps the length; a null body would turn the 301 into a 204.
  ctx.body = `Moved Permanently: ${href}\n`;
  return true;
}
