/**
 * The host's pages: plain server-rendered HTML, readable without JavaScript
 * and on a phone. Every value is escaped here, at the one place HTML is built.
 */
import type { Context } from 'koa';
import { FAVICON_PATH } from './favicon.js';
import type { LoadedSession } from './sessions.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const STYLE = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
body { margin: 0 auto; max-width: 52rem; padding: 0 1rem 2rem; }
body.wide { max-width: 100rem; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .75rem 0; border-bottom: 1px solid #8884; }
header nav { display: flex; flex-wrap: wrap; gap: .5rem 1rem; flex: 1; }
header form { margin: 0; }
/* A plugin control that hides itself (no share to show) takes its heading with it. */
section:has(> [hidden]) { display: none; }
a { color: inherit; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid #8884; vertical-align: top; }
label { display: block; margin-top: .75rem; }
input[type=text], input[type=password] { display: block; width: 100%; max-width: 22rem; padding: .5rem; font: inherit; box-sizing: border-box; }
button { font: inherit; padding: .4rem .9rem; margin-top: .75rem; cursor: pointer; }
td button { margin-top: 0; }
.error { color: #c00; font-weight: bold; }
/* A confirmation stays in view wherever the page is scrolled, then fades away by itself. */
.notice { position: fixed; z-index: 10; left: 50%; bottom: 1.5rem; transform: translateX(-50%); width: max-content; max-width: calc(100vw - 2rem); box-sizing: border-box; margin: 0; padding: .6rem 1.1rem; border-radius: .5rem; background: #17602f; color: #fff; box-shadow: 0 .25rem 1rem #0005; animation: notice-out .5s ease-in 6s forwards; }
@keyframes notice-out { to { opacity: 0; visibility: hidden; } }
.muted { opacity: .75; }
:focus-visible { outline: 3px solid #48f; outline-offset: 2px; }
@media (max-width: 36rem) { .optional { display: none; } }
`;

export interface PageOptions {
  readonly title: string;
  readonly session: LoadedSession | null;
  readonly body: string;
  /** Extra markup for <head>, e.g. module scripts. */
  readonly head?: string;
  /** Use a desktop's whole width (a plugin's admin page with wide tables), not a column for reading. */
  readonly wide?: boolean;
}

export function page({ title, session, body, head = '', wide = false }: PageOptions): string {
  const nav = session
    ? `<nav aria-label="Main"><a href="/">Home</a><a href="/about">About</a>${session.user.admin ? '<a href="/admin">Admin</a>' : ''}</nav>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${esc(session.csrfToken)}">
<button type="submit">Log out ${esc(session.user.name)}</button></form>`
    : `<nav aria-label="Main"><a href="/">Home</a><a href="/login">Log in</a></nav>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${session ? `<meta name="csrf-token" content="${esc(session.csrfToken)}">` : ''}
<title>${esc(title)} · mediahost</title>
<link rel="icon" href="${FAVICON_PATH}" type="image/svg+xml">
<style>${STYLE}</style>
${head}
</head>
<body${wide ? ' class="wide"' : ''}>
<header>${nav}</header>
<main>
<h1>${esc(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** Sends a page with headers that keep it out of frames and caches. */
export function sendHtml(ctx: Context, status: number, html: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Content-Security-Policy', "frame-ancestors 'none'");
  ctx.body = html;
}
