/**
 * <webdav-locks>: the "Locked files" section of the admin page. Every active
 * WebDAV lock with its path, who holds it, its depth and its expiry
 * (GET admin/locks), and a button to remove a lock a client left behind
 * (DELETE admin/locks/:token, which the audit log records). Self-contained:
 * it loads its own data and shows its own errors, next to the lock the admin
 * acted on.
 */
import { LitElement, css, html, nothing } from 'lit';
import { adminStyles } from './admin-styles.js';
import { ApiFailure, call } from './api.js';
import { formatTime } from './format.js';
import { baseStyles } from './styles.js';

interface LockRow {
  token: string;
  mount: string;
  path: string;
  collection: boolean;
  depth: '0' | 'infinity';
  scope: 'exclusive' | 'shared';
  user: string;
  owner: string | null;
  expiresAt: string;
  secondsLeft: number;
}

interface LocksAnswer {
  locks: LockRow[];
  more: boolean;
}

/** The element that carries the host's CSRF token: this one, or the admin page it sits in. */
function tokenHolder(element: Element): Element {
  if (element.hasAttribute('csrf-token')) return element;
  const root = element.getRootNode();
  return root instanceof ShadowRoot ? root.host : element;
}

/** "in 52 min", "in 3 h 5 min": how long a lock still holds. */
export function timeLeft(seconds: number): string {
  if (seconds < 60) return 'in less than a minute';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `in ${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

export class WebdavLocks extends LitElement {
  static override properties = {
    data: { state: true },
    failure: { state: true },
    rowErrors: { state: true },
    message: { state: true },
    busy: { state: true },
  };

  static override styles = [
    baseStyles,
    adminStyles,
    css`
      .done {
        margin: 0.5rem 0;
      }
      .path {
        overflow-wrap: break-word;
      }
      td.remove {
        text-align: right;
      }
      @media (max-width: 44rem) {
        td.remove {
          text-align: left;
        }
      }
    `,
  ];

  declare data: LocksAnswer | null;
  declare failure: string;
  /** Per token, why its removal failed. */
  declare rowErrors: Record<string, string>;
  declare message: string;
  declare busy: boolean;
  private messageTimer: number | undefined;

  constructor() {
    super();
    this.data = null;
    this.failure = '';
    this.rowErrors = {};
    this.message = '';
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearTimeout(this.messageTimer);
  }

  async load(): Promise<void> {
    try {
      this.data = await call<LocksAnswer>(this, 'GET', '/admin/locks');
      this.failure = '';
    } catch (error) {
      this.failure = (error as Error).message;
    }
  }

  private async removeLock(lock: LockRow): Promise<void> {
    const holder = lock.owner ? `${lock.user} (${lock.owner})` : lock.user;
    const question =
      `Remove the lock on ${lock.path}? ${holder} then no longer holds it: ` +
      'if that program is still working on it, its changes may clash with others.';
    if (!window.confirm(question)) return;
    this.busy = true;
    const errors = { ...this.rowErrors };
    delete errors[lock.token];
    this.rowErrors = errors;
    try {
      await call(tokenHolder(this), 'DELETE', `/admin/locks/${encodeURIComponent(lock.token)}`);
      this.say(`The lock on ${lock.path} is removed.`);
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) this.say(`The lock on ${lock.path} was already gone.`);
      else this.rowErrors = { ...this.rowErrors, [lock.token]: (error as Error).message };
    } finally {
      this.busy = false;
    }
    await this.load();
  }

  /** A confirmation that stays in view for a while, and is read out. */
  private say(message: string): void {
    this.message = message;
    window.clearTimeout(this.messageTimer);
    this.messageTimer = window.setTimeout(() => (this.message = ''), 8000);
  }

  override render() {
    const d = this.data;
    return html`<section aria-labelledby="locks-title">
      <h2 id="locks-title">Locked files</h2>
      <p class="muted">
        Programs such as Office, Finder and Explorer lock a file while they edit it. A program that crashed keeps its
        lock until the lock expires; remove it here so that others can save the file again.
      </p>
      <p class="done ok" role="status" aria-live="polite">${this.message}</p>
      ${this.failure ? html`<p class="error" role="alert">The locks cannot be shown: ${this.failure}</p>` : nothing}
      ${
        !d
          ? this.failure
            ? nothing
            : html`<p class="muted">Loading…</p>`
          : d.locks.length === 0
            ? html`<p>No file is locked right now.</p>`
            : this.renderTable(d)
      }
      <button type="button" @click=${() => void this.load()}>Refresh</button>
    </section>`;
  }

  private renderTable(d: LocksAnswer) {
    return html`<table class="cards locks">
        <caption class="sr-only">
          Active WebDAV locks
        </caption>
        <thead>
          <tr>
            <th scope="col">File or folder</th>
            <th scope="col">Locked by</th>
            <th scope="col">Covers</th>
            <th scope="col">Expires</th>
            <th scope="col"><span class="sr-only">Action</span></th>
          </tr>
        </thead>
        <tbody>
          ${d.locks.map(
            (lock) =>
              html`<tr data-lock=${lock.token}>
                <td data-label="File or folder" class="path"><span class="mono">${lock.path}</span></td>
                <td data-label="Locked by">
                  ${lock.user}${lock.owner ? html`<br /><span class="muted">${lock.owner}</span>` : nothing}
                </td>
                <td data-label="Covers">
                  ${lock.depth === 'infinity' && lock.collection ? 'the folder and everything in it' : 'this item only'}
                  ${lock.scope === 'shared' ? html`<br /><span class="muted">shared lock</span>` : nothing}
                </td>
                <td data-label="Expires">
                  ${formatTime(lock.expiresAt)}<br /><span class="muted">${timeLeft(lock.secondsLeft)}</span>
                </td>
                <td class="remove">
                  <button
                    type="button"
                    class="danger"
                    ?disabled=${this.busy}
                    aria-label="Remove the lock on ${lock.path}"
                    @click=${() => void this.removeLock(lock)}
                  >
                    Remove lock
                  </button>
                  ${this.rowErrors[lock.token] ? html`<p class="error field-error" role="alert">${this.rowErrors[lock.token]}</p>` : nothing}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
      ${d.more ? html`<p class="muted">Only the first ${d.locks.length} locks are listed.</p>` : nothing}`;
  }
}

if (!customElements.get('webdav-locks')) customElements.define('webdav-locks', WebdavLocks);
