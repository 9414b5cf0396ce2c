/**
 * The site's icon: a small SVG (a photo: sun over hills), linked from every
 * page. Browsers that ask for /favicon.ico anyway, as they do for pages
 * without a link (a WebDAV folder listing), are sent to it.
 */
import type Router from '@koa/router';

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#2563eb"/>
<circle cx="22" cy="10.5" r="3.5" fill="#fde68a"/>
<path d="M3 27 12 14.5l6 7.5 4-5 7 10z" fill="#fff"/>
</svg>
`;

export const FAVICON_PATH = '/favicon.svg';

/** It changes only with a new version of the host: a week in the browser's cache is fine. */
const CACHE = 'public, max-age=604800';

export function faviconRoutes(router: Router): void {
  router.get(FAVICON_PATH, (ctx) => {
    ctx.type = 'image/svg+xml';
    ctx.set('Cache-Control', CACHE);
    ctx.set('X-Content-Type-Options', 'nosniff');
    // Opened on its own, an SVG is a document: this one needs nothing but itself.
    ctx.set('Content-Security-Policy', "default-src 'none'");
    ctx.body = ICON;
  });
  router.get('/favicon.ico', (ctx) => {
    ctx.status = 301;
    ctx.set('Cache-Control', CACHE);
    ctx.redirect(FAVICON_PATH);
  });
}
