/**
 * What the admin page says about the changes it makes and about the page as
 * a whole:
 *
 * - a confirmation ("Share scans added.") that stays in view wherever the
 *   admin scrolled to, and leaves by itself after TOAST_MS (not while the
 *   pointer rests on it); screen readers hear the page's status line instead,
 *   so the toast itself is hidden from them;
 * - a banner, kept at the top of the view, when nothing on the page can work:
 *   the session expired, or the plugin was switched off while the page was
 *   open. Each says what to do, with a link.
 */
import { css, html, nothing } from 'lit';

export const TOAST_MS = 5000;

/** Shows one confirmation at a time, for TOAST_MS; `changed` redraws the page. */
export class Toast {
  text = '';
  private timer: number | undefined;

  constructor(private readonly changed: () => void) {}

  show(text: string): void {
    this.text = text;
    this.restart();
    this.changed();
  }

  /** The pointer rests on it: keep it until the pointer leaves. */
  hold(): void {
    window.clearTimeout(this.timer);
  }

  restart(): void {
    window.clearTimeout(this.timer);
    if (!this.text) return;
    this.timer = window.setTimeout(() => {
      this.text = '';
      this.changed();
    }, TOAST_MS);
  }

  stop(): void {
    window.clearTimeout(this.timer);
  }
}

export function renderToast(toast: Toast) {
  if (!toast.text) return nothing;
  return html`<div
    class="toast"
    aria-hidden="true"
    @mouseenter=${() => toast.hold()}
    @mouseleave=${() => toast.restart()}
  >
    <span class="toast-mark">✓</span> ${toast.text}
  </div>`;
}

/** Why nothing on the page works just now. */
export type PageBlock = 'logged-out' | 'plugin-off';

export interface HostLinks {
  /** The host's login; it returns to the local path in `next`. */
  readonly loginUrl: string;
  /** The host's list of plugins, where this one is switched on. */
  readonly pluginListUrl: string;
}

/** The host's login, coming back to this page afterwards. */
export const loginLink = (links: HostLinks): string =>
  `${links.loginUrl}?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;

export function renderPageBlock(block: PageBlock | null, links: HostLinks) {
  if (!block) return nothing;
  return html`<div class="page-block" role="alert">
    ${
      block === 'logged-out'
        ? html`<strong>You are logged out.</strong> <a href=${loginLink(links)}>Log in again</a> to come back to this
            page.`
        : html`<strong>The WebDAV plugin is switched off.</strong>
            No share is served and this page cannot change anything. Switch it on in the
            <a href=${links.pluginListUrl}>host's plugin list</a>.`
    }
  </div>`;
}

export const feedbackStyles = css`
  .toast {
    position: fixed;
    z-index: 10;
    right: 1.25rem;
    bottom: 1.25rem;
    max-width: min(28rem, calc(100vw - 2.5rem));
    padding: 0.75rem 1rem;
    border: 2px solid var(--webdav-ok);
    border-radius: 0.5rem;
    background: Canvas;
    color: CanvasText;
    box-shadow: 0 0.3rem 1.2rem #0004;
    font-weight: 600;
  }
  .toast-mark {
    color: var(--webdav-ok);
  }
  .page-block {
    position: sticky;
    top: 0;
    z-index: 10;
    margin: 0 0 1rem;
    padding: 0.75rem 1rem;
    border: 2px solid var(--webdav-error);
    border-radius: 0.5rem;
    background: Canvas;
    color: CanvasText;
    box-shadow: 0 0.2rem 0.8rem #0003;
  }
  .page-block strong {
    color: var(--webdav-error);
  }
  @media (max-width: 44rem) {
    .toast {
      left: 0.75rem;
      right: 0.75rem;
      bottom: 0.75rem;
      max-width: none;
    }
  }
`;
