/**
 * The "Shares" section: a table of every share (on a phone, a card each) with
 * its folder, access, free space, members and actions, and for a photo-aware
 * share its date view, index and inbox (admin-photos.ts) and the members of
 * the view's group; then the settings problems of no share, and the host's
 * photo folders that are not shared.
 */
import { html, nothing } from 'lit';
import type { ShareRow, SharesAnswer, UnsharedRoot } from './admin-answers.js';
import { renderMembers, shareMembers, viewMembers, type MembersEditor } from './admin-members.js';
import { renderPhotos, type PhotoActions } from './admin-photos.js';
import { formatBytes } from './format.js';
import { pathCode as path } from './path-code.js';

/** What the share table's buttons ask of the page. */
export interface ShareActions extends PhotoActions {
  /** A change is under way: Delete waits for it. */
  readonly busy: boolean;
  /** Per share id, why the last change to the share failed (shown in its row). */
  readonly errors: Readonly<Record<string, string>>;
  /** Why the shares could not be loaded. */
  readonly loadError: string;
  edit(share: ShareRow): void;
  editRoot(root: UnsharedRoot): void;
  remove(share: ShareRow): void;
}

/** Why a share is not served, in two or three words; the problems list says more. */
const NOT_SERVED: Record<string, string> = {
  missing: 'folder missing',
  'not-a-folder': 'not a folder',
  'not-readable': 'not readable',
  'not-absolute': 'folder not absolute',
  unusable: 'folder unusable',
};

const servedBadge = (share: ShareRow) =>
  share.served
    ? html`<span class="badge ok">served</span>`
    : html`<span class="badge bad">${NOT_SERVED[share.folderState ?? ''] ?? 'not served'}</span>`;

const problemClass = (severity: string) =>
  severity === 'error' ? 'error' : severity === 'warning' ? 'warn-text' : 'muted';

export function renderShares(data: SharesAnswer | null, actions: ShareActions, members: MembersEditor) {
  return html`<section aria-labelledby="shares-title">
    <h2 id="shares-title">Shares</h2>
    ${actions.loadError ? html`<p class="error section-error" role="alert">${actions.loadError}</p>` : nothing}
    ${
      !data
        ? actions.loadError
          ? nothing
          : html`<p class="muted">Loading…</p>`
        : html`
            ${
              data.shares.length === 0
                ? html`<p>No share is defined yet. Add one below.</p>`
                : html`<table class="cards">
                    <caption class="sr-only">
                      Every WebDAV share: its folder, access, free space and members
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Share</th>
                        <th scope="col">Folder</th>
                        <th scope="col">Access</th>
                        <th scope="col">Members</th>
                        <th scope="col">Actions</th>
                      </tr>
                    </thead>
                    <tbody>
                      ${data.shares.map((share) => renderShareRow(share, actions, members))}
                    </tbody>
                  </table>`
            }
            ${
              data.problems.length
                ? html`<h3>Other settings problems</h3>
                    <ul class="problems">
                      ${data.problems.map(
                        (p) => html`<li class=${problemClass(p.severity)}><code>${p.key}</code>: ${p.message}</li>`,
                      )}
                    </ul>`
                : nothing
            }
            ${
              data.unsharedRoots.length
                ? html`<h3>Photo folders that are not shared</h3>
                    <ul class="plain">
                      ${data.unsharedRoots.map(
                        (root) =>
                          html`<li class="toolbar">
                            <span class="folder"
                              ><code>${root.folder}</code> <span class="muted">(${root.source})</span></span
                            >
                            <button
                              type="button"
                              aria-label="Share photo folder ${root.folder}"
                              @click=${() => actions.editRoot(root)}
                            >
                              Share…
                            </button>
                          </li>`,
                      )}
                    </ul>`
                : nothing
            }
          `
    }
  </section>`;
}

function renderShareRow(share: ShareRow, actions: ShareActions, members: MembersEditor) {
  const name = share.mount ?? share.source;
  const errors = share.problems.filter((p) => p.severity === 'error');
  const warnings = share.problems.filter((p) => p.severity === 'warning');
  const rowError = actions.errors[share.id];
  const access = share.readonly
    ? 'Read-only'
    : `Read${share.uploadAllowed ? ', upload' : ''}${share.deleteAllowed ? ', delete' : ''}`;
  return html`<tr data-share=${share.id}>
    <td data-label="Share">
      <div class="mount">${name}</div>
      <div class="muted">
        ${share.kind === 'photo-root' ? 'photo folder' : 'extra share'} · <code>${share.source}</code>
      </div>
      <div>${servedBadge(share)}</div>
      ${share.url ? html`<div class="url">${path(share.url)}</div>` : nothing} ${renderPhotos(share, actions)}
      ${
        share.problems.length
          ? html`<ul class="problems" aria-label="Problems of ${name}">
              ${share.problems.map((p) => html`<li class=${problemClass(p.severity)}>${p.message} <span class="muted">(${p.key})</span></li>`)}
            </ul>`
          : nothing
      }
    </td>
    <td data-label="Folder" class="folder">
      ${share.folder ? path(share.folder) : html`<span class="error">none</span>`}
    </td>
    <td data-label="Access and space">
      ${access}
      ${!share.readonly && !share.uploadAllowed ? html`<div class="muted">uploads switched off</div>` : nothing}
      ${!share.readonly && !share.deleteAllowed ? html`<div class="muted">deleting switched off</div>` : nothing}
      ${
        share.space
          ? html`<div class="space">${formatBytes(share.space.freeBytes)} free</div>
              <div class="muted">${formatBytes(share.space.usedBytes)} used</div>`
          : nothing
      }
    </td>
    <td data-label="Members">
      ${renderMembers(shareMembers(share), members)}
      ${share.dateView ? html`<div class="view-members">${renderMembers(viewMembers(share), members)}</div>` : nothing}
    </td>
    <td data-label="Actions">
      <div class="actions">
        <button type="button" aria-label="Edit ${name}" @click=${() => actions.edit(share)}>Edit</button>
        <button
          type="button"
          class="danger"
          aria-label="${share.kind === 'photo-root' ? 'Stop sharing' : 'Delete'} ${name}"
          ?disabled=${actions.busy}
          aria-describedby=${rowError ? `row-error-${share.source}` : nothing}
          @click=${() => actions.remove(share)}
        >
          ${share.kind === 'photo-root' ? 'Stop sharing' : 'Delete'}
        </button>
      </div>
      ${errors.length ? html`<div class="error">${errors.length === 1 ? '1 problem' : `${errors.length} problems`}</div>` : nothing}
      ${warnings.length ? html`<div class="warn-text">${warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`}</div>` : nothing}
      ${rowError ? html`<p class="error field-error row-error" id="row-error-${share.source}">${rowError}</p>` : nothing}
    </td>
  </tr>`;
}
