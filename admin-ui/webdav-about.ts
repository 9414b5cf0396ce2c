/**
 * <webdav-about>: the About dialog's WebDAV control. Lists the shares and
 * date views the logged-in user may use, each with ready-to-copy ways to
 * connect (a date view right after its share, marked read-only and naming the
 * share it shows by capture date), and renders nothing at all when there is
 * none (as PicApport hides its WebDAV section).
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { connectionMethods, shareUrl, type ConnectField, type ConnectMethod } from '../plugin/api/connect.js';
import { ApiFailure, call } from './api.js';
import { copyText } from './copy.js';
import { qrCode, qrPath } from './qr-code.js';
import { baseStyles } from './styles.js';
import './tls-note.js';
import type { AboutTls } from './tls-note.js';

interface AboutShare {
  mount: string;
  path: string;
  url: string;
  readonly: boolean;
  uploadAllowed: boolean;
  deleteAllowed: boolean;
  /** For a date view: the share whose photos it shows by capture date. */
  dateViewOf: string | null;
  connect: ConnectMethod[];
}

interface AboutAnswer {
  user: string;
  baseUrl: string | null;
  shares: AboutShare[];
  tls?: AboutTls | null;
}

let nextId = 0;

export class WebdavAbout extends LitElement {
  static override properties = {
    data: { state: true },
    failure: { state: true },
    copied: { state: true },
    announcement: { state: true },
    copyFailed: { state: true },
    qrShown: { state: true },
  };

  static override styles = [
    baseStyles,
    css`
      .intro {
        margin: 0 0 0.75rem;
      }
      .share {
        border: 1px solid var(--webdav-border);
        border-radius: 0.5rem;
        padding: 0.25rem 1rem 0.75rem;
        margin: 0 0 1rem;
      }
      .share h3 {
        margin: 0.75rem 0 0.5rem;
        font-size: 1.1rem;
      }
      .view-of {
        margin: -0.25rem 0 0.5rem;
      }
      .row {
        display: grid;
        grid-template-columns: minmax(7rem, max-content) minmax(0, 1fr) auto;
        gap: 0.25rem 0.75rem;
        align-items: center;
        padding: 0.3rem 0;
        border-top: 1px solid var(--webdav-border);
      }
      .row:first-child {
        border-top: none;
      }
      .label {
        font-weight: 600;
      }
      .value {
        overflow-wrap: anywhere;
        padding: 0.2rem 0.35rem;
        border-radius: 0.25rem;
        background: var(--webdav-tint);
        user-select: all;
      }
      .value.plain {
        background: none;
        font-family: inherit;
      }
      .copy {
        min-width: 5.5rem;
      }
      details {
        border-top: 1px solid var(--webdav-border);
      }
      summary {
        cursor: pointer;
        padding: 0.55rem 0;
        font-weight: 600;
        min-height: 2.75rem;
        display: flex;
        align-items: center;
        gap: 0.4rem;
      }
      summary::-webkit-details-marker {
        display: none;
      }
      summary::before {
        content: '▸';
        display: inline-block;
      }
      details[open] > summary::before {
        transform: rotate(90deg);
      }
      .steps {
        margin: 0 0 0.5rem;
        overflow-wrap: anywhere;
      }
      .fields {
        margin: 0 0 0.75rem;
      }
      .qr-toggle {
        margin: 0 0 0.75rem;
      }
      figure.qr {
        margin: 0 0 0.75rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: center;
      }
      figure.qr svg {
        flex: none;
        /* Dark on light whatever the page's colours: scanners expect it. */
        background: #fff;
        border-radius: 0.25rem;
      }
      figure.qr figcaption {
        flex: 1 1 14rem;
        overflow-wrap: anywhere;
      }
      @media (max-width: 36rem) {
        .row {
          grid-template-columns: minmax(0, 1fr) auto;
        }
        .row .label {
          grid-column: 1 / -1;
        }
        .share {
          padding: 0.25rem 0.6rem 0.6rem;
        }
      }
    `,
  ];

  declare data: AboutAnswer | null;
  declare failure: string;
  /** The id of the value whose copy button was pressed last. */
  declare copied: string;
  declare announcement: string;
  declare copyFailed: boolean;
  /** The mounts whose QR code is shown. */
  declare qrShown: Record<string, boolean>;
  private readonly uid = `webdav-about-${++nextId}`;
  private copiedTimer: number | undefined;

  constructor() {
    super();
    this.data = null;
    this.failure = '';
    this.copied = '';
    this.announcement = '';
    this.copyFailed = false;
    this.qrShown = {};
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Nothing shows until we know there is something to show.
    this.hidden = true;
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearTimeout(this.copiedTimer);
  }

  async load(): Promise<void> {
    try {
      this.data = await call<AboutAnswer>(this, 'GET', '/about');
      this.failure = '';
    } catch (error) {
      this.data = null;
      // Not logged in (or the plugin went away): the control simply is not there.
      this.failure =
        error instanceof ApiFailure && (error.status === 401 || error.status === 404)
          ? ''
          : String((error as Error).message);
    }
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('data') || changed.has('failure')) {
      this.hidden = !this.failure && !(this.data && this.data.shares.length > 0);
    }
  }

  /** The shares with their URL as this browser reaches the server, unless webdav.baseurl says otherwise. */
  private shares(): AboutShare[] {
    const data = this.data;
    if (!data) return [];
    if (data.baseUrl !== null) return data.shares;
    return data.shares.map((share) => {
      const url = shareUrl(location.origin, share.mount);
      return { ...share, url, connect: connectionMethods(url, data.user) };
    });
  }

  override render() {
    if (this.failure) {
      return html`<p class="error" role="alert">The WebDAV shares cannot be shown: ${this.failure}</p>`;
    }
    const shares = this.shares();
    if (!this.data || shares.length === 0) return nothing;
    const insecure = location.protocol !== 'https:' || shares.some((s) => s.url.startsWith('http:'));
    return html`
      <p class="intro">
        Map ${shares.length === 1 ? 'this share' : 'these shares'} as a network drive with your user name
        <strong>${this.data.user}</strong> and your password.
      </p>
      <webdav-tls-note .tls=${this.data.tls ?? null} ?insecure=${insecure}></webdav-tls-note>
      ${shares.map((share, index) => this.renderShare(share, index))}
      <p class=${this.copyFailed ? 'warning' : 'sr-only'} role="status" aria-live="polite">${this.announcement}</p>
    `;
  }

  private renderShare(share: AboutShare, index: number) {
    const id = `${this.uid}-${index}`;
    const [address, ...others] = share.connect;
    const access = share.readonly
      ? 'read-only'
      : [share.uploadAllowed ? 'upload' : '', share.deleteAllowed ? 'delete' : ''].filter(Boolean).join(' and ');
    return html`<section class="share" aria-labelledby="${id}-title">
      <h3 id="${id}-title">
        ${share.mount}
        <span class="badge">${share.readonly ? 'read-only' : access ? `read, ${access}` : 'read'}</span>
      </h3>
      ${
        share.dateViewOf !== null
          ? html`<p class="view-of muted">
              Date view: the photos and videos by capture date of <strong>${share.dateViewOf}</strong>, in folders
              YYYY/YYYY-MM.
            </p>`
          : nothing
      }
      ${address ? html`<div class="fields">${this.renderFields(share, address, `${id}-url`)}</div>` : nothing}
      ${this.renderQr(share, `${id}-qr`)}
      ${others.map(
        (method, m) =>
          html`<details>
            <summary>${method.title}</summary>
            <p class="steps">${method.steps}</p>
            <div class="fields">${this.renderFields(share, method, `${id}-m${m}`)}</div>
          </details>`,
      )}
    </section>`;
  }

  /** The share's URL as a QR code, shown on demand so that the dialog stays compact. */
  private renderQr(share: AboutShare, id: string) {
    const shown = this.qrShown[share.mount] === true;
    const toggle = html`<button
      type="button"
      class="qr-toggle"
      aria-expanded=${shown ? 'true' : 'false'}
      aria-controls=${id}
      @click=${() => (this.qrShown = { ...this.qrShown, [share.mount]: !shown })}
    >
      ${shown ? 'Hide QR code' : 'Show QR code'}
    </button>`;
    if (!shown) return html`<div>${toggle}</div>`;
    const code = qrCode(share.url);
    // Whole pixels per module keep the edges sharp.
    const pixels = code.size * 5;
    return html`<div>${toggle}</div>
      <figure class="qr" id=${id}>
        <svg
          role="img"
          aria-label="QR code of ${share.url}"
          width=${pixels}
          height=${pixels}
          viewBox="0 0 ${code.size} ${code.size}"
          shape-rendering="crispEdges"
        >
          <path d=${qrPath(code)} fill="#000"></path>
        </svg>
        <figcaption>
          Scan it with the phone's camera or a QR code app to get the address <code>${share.url}</code>, then paste it
          in the file manager's WebDAV settings (CX File Explorer: Network, New location, WebDAV) and log in as
          <strong>${this.data?.user ?? ''}</strong>.
        </figcaption>
      </figure>`;
  }

  private renderFields(share: AboutShare, method: ConnectMethod, id: string) {
    return method.fields.map((field, f) => this.renderField(share, method, field, `${id}-f${f}`));
  }

  private renderField(share: AboutShare, method: ConnectMethod, field: ConnectField, id: string) {
    const what = method.id === 'url' ? 'URL' : `${method.title}: ${field.label}`;
    const done = this.copied === id;
    return html`<div class="row" role="group" aria-labelledby="${id}-label">
      <span class="label" id="${id}-label">${field.label}</span>
      <code class="value ${field.copy ? '' : 'plain'}" id="${id}" data-method=${method.id} data-field=${field.label}
        >${field.value}</code
      >
      ${
        field.copy
          ? html`<button
              type="button"
              class="copy"
              aria-label="Copy ${what} of ${share.mount}"
              @click=${(e: Event) => this.copy(field.value, id, `${what} of ${share.mount}`, e.currentTarget as HTMLElement)}
            >
              ${done ? 'Copied ✓' : 'Copy'}
            </button>`
          : html`<span></span>`
      }
    </div>`;
  }

  private async copy(text: string, id: string, what: string, button: HTMLElement): Promise<void> {
    const ok = await copyText(text, button);
    window.clearTimeout(this.copiedTimer);
    this.copyFailed = !ok;
    if (ok) {
      this.copied = id;
      this.announcement = `Copied ${what}.`;
      this.copiedTimer = window.setTimeout(() => (this.copied = ''), 2500);
      return;
    }
    // Nothing worked (a very old or locked-down browser): select the text so that Ctrl+C / long press copies it.
    const value = this.renderRoot.querySelector(`#${CSS.escape(id)}`);
    if (value) {
      const range = document.createRange();
      range.selectNodeContents(value);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
    }
    this.copied = '';
    this.announcement = `Could not copy automatically: the ${what} is selected, press Ctrl+C (or ⌘C) to copy it.`;
  }
}

if (!customElements.get('webdav-about')) customElements.define('webdav-about', WebdavAbout);
