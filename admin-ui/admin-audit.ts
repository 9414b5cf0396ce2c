/**
 * The "Audit log" section: the WebDAV requests the plugin recorded, newest
 * first, searchable and paged AUDIT_PAGE entries at a time. A table on a
 * desktop; on a phone each entry is two short lines (admin-styles.ts).
 */
import { html, nothing } from 'lit';
import type { AuditAnswer } from './admin-answers.js';
import { formatBytes, formatTime } from './format.js';

export const AUDIT_PAGE = 25;

/** The admin API path of the page of entries from `offset` on that match `query`. */
export function auditPath(query: string, offset: number): string {
  const params = new URLSearchParams({ offset: String(offset), limit: String(AUDIT_PAGE) });
  if (query.trim()) params.set('q', query.trim());
  return `/admin/audit?${params.toString()}`;
}

/** What the search box and the pager ask of the page. */
export interface AuditActions {
  /** The search text as typed. */
  readonly query: string;
  setQuery(query: string): void;
  search(event: Event): void;
  /** 1: older entries, -1: newer ones. */
  page(direction: 1 | -1): void;
  refresh(): void;
  /** Why the log could not be loaded or searched. */
  readonly error: string;
}

export function renderAuditLog(a: AuditAnswer | null, actions: AuditActions) {
  const first = a && a.total > 0 ? a.offset + 1 : 0;
  const last = a ? a.offset + a.entries.length : 0;
  const query = actions.query.trim();
  return html`<section aria-labelledby="audit-title">
    <h2 id="audit-title">Audit log</h2>
    <p class="muted">
      ${
        a?.enabled
          ? 'Every WebDAV request is recorded (user.log.webdav=true).'
          : 'Recording is off (set user.log.webdav=true to record WebDAV requests); earlier entries stay searchable.'
      }
    </p>
    <form class="audit-search" role="search" @submit=${actions.search}>
      <div class="field" style="flex: 1 1 14rem; margin: 0">
        <label for="audit-q">Search user, address, method or path</label>
        <input
          type="search"
          id="audit-q"
          name="q"
          style="width: 100%"
          .value=${actions.query}
          @input=${(e: Event) => actions.setQuery((e.target as HTMLInputElement).value)}
        />
      </div>
      <button type="submit">Search</button>
    </form>
    ${actions.error ? html`<p class="error section-error" role="alert">${actions.error}</p>` : nothing}
    ${
      !a
        ? actions.error
          ? nothing
          : html`<p class="muted">Loading…</p>`
        : a.entries.length === 0
          ? html`<p>No entries${query ? html` match “${query}”` : nothing}.</p>`
          : html`<table class="cards audit">
              <caption class="sr-only">
                WebDAV requests, newest first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">User</th>
                  <th scope="col">Address</th>
                  <th scope="col">Request</th>
                  <th scope="col">Status</th>
                  <th scope="col">Bytes in / out</th>
                </tr>
              </thead>
              <tbody>
                ${a.entries.map(
                  (e) =>
                    html`<tr>
                      <td data-label="Time" class="time">${formatTime(e.time)}</td>
                      <td data-label="User" class="user">${e.user ?? html`<span class="muted">anonymous</span>`}</td>
                      <td data-label="Address" class="mono address">${e.address}</td>
                      <td data-label="Request" class="folder request">
                        <span class="mono">${e.method}</span>
                        ${e.path}${e.destination ? html` → ${e.destination}` : nothing}
                      </td>
                      <td data-label="Status" class="status ${e.status >= 400 ? 'error' : ''}">${e.status}</td>
                      <td data-label="Bytes in / out" class="num bytes">
                        ${formatBytes(e.bytesIn)} / ${formatBytes(e.bytesOut)}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
    ${
      a && a.total > 0
        ? html`<div class="pager">
            <button type="button" ?disabled=${a.offset === 0} @click=${() => actions.page(-1)}>Newer</button>
            <span aria-live="polite">Entries ${first}–${last} of ${a.total}</span>
            <button type="button" ?disabled=${last >= a.total} @click=${() => actions.page(1)}>Older</button>
            <button type="button" @click=${() => actions.refresh()}>Refresh</button>
          </div>`
        : nothing
    }
  </section>`;
}
