/**
 * The photo side of a share's row (docs/photo-shares.md): its date view (the
 * address with a copy button, whether it is served), how many photos and
 * videos its capture-date index holds, the last scan or the one under way,
 * what waits in its inbox, and a "Scan now" button. Nothing for a share
 * without a date view or an inbox.
 */
import { html, nothing } from 'lit';
import type { IndexFigures, InboxFigures, ShareRow } from './admin-answers.js';
import { formatTime } from './format.js';
import { pathCode } from './path-code.js';

/** What the photo block's buttons ask of the page. */
export interface PhotoActions {
  /** Per share id: a "Scan now" the page is waiting for. */
  readonly scanRequested: Readonly<Record<string, boolean>>;
  scan(share: ShareRow): void;
  copyViewUrl(share: ShareRow, button: HTMLElement): void;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Whether the page should ask again in a moment: a scan is under way somewhere. */
export const anyScanning = (shares: readonly ShareRow[]): boolean => shares.some((s) => s.index?.scanning);

export function renderPhotos(share: ShareRow, actions: PhotoActions) {
  const { dateView, index, inbox } = share;
  if (!dateView && !index && !inbox) return nothing;
  const name = share.mount ?? share.source;
  return html`<div class="photos" role="group" aria-label="Photos of ${name}">
    ${
      dateView
        ? html`<div class="date-view">
            <span class="muted">Date view</span> <strong>${dateView.mount}</strong>
            ${
              dateView.served
                ? html`<span class="badge ok">served</span>`
                : html`<span class="badge bad">not served</span>`
            }
            <span class="muted">read-only, by capture date</span>
            <div class="view-url">
              ${pathCode(dateView.url)}
              <button
                type="button"
                class="small"
                aria-label="Copy the address of ${dateView.mount}"
                @click=${(e: Event) => actions.copyViewUrl(share, e.currentTarget as HTMLElement)}
              >
                Copy
              </button>
            </div>
          </div>`
        : nothing
    }
    ${index ? renderIndex(index) : nothing} ${inbox ? renderInbox(inbox) : nothing}
    ${
      index
        ? html`<button
            type="button"
            class="small scan"
            aria-label="Scan ${name} now"
            ?disabled=${index.scanning || actions.scanRequested[share.id] === true}
            @click=${() => actions.scan(share)}
          >
            ${index.scanning || actions.scanRequested[share.id] ? 'Scanning…' : 'Scan now'}
          </button>`
        : nothing
    }
  </div>`;
}

function renderIndex(index: IndexFigures) {
  const scan = index.scanning
    ? html`<div class="scanning">scanning: ${index.filesSeen} seen, ${index.filesRead} read</div>`
    : index.finishedAt
      ? html`<div class="muted">last scan: ${formatTime(index.finishedAt)}</div>`
      : html`<div class="muted">not scanned yet</div>`;
  return html`<div class="index-figures">
      ${count(index.files, 'photo or video', 'photos and videos')} indexed, ${index.undated} undated
    </div>
    ${scan} ${index.lastError ? html`<div class="error">last scan failed: ${index.lastError}</div>` : nothing}`;
}

function renderInbox(inbox: InboxFigures) {
  const figures =
    inbox.lastPassAt === null && inbox.waiting === 0 && inbox.failed === 0
      ? html`the inbox is not looked at yet`
      : html`${inbox.waiting} waiting in the inbox,
          <span class=${inbox.failed > 0 ? 'warn-text' : ''}>${inbox.failed} failed</span>`;
  return html`<div class="inbox-figures">
    ${figures} <span class="muted">(folder <code>${inbox.folder}</code>)</span>
    ${inbox.lastError ? html`<div class="error">${inbox.lastError}</div>` : nothing}
  </div>`;
}
