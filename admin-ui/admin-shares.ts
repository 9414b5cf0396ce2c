/**
 * The "Shares" section: a table of every share (on a phone, a card each) with
 * its folder, access, free space, members and actions; then the settings
 * problems of no share, and the host's photo folders that are not shared.
 */
import { html, nothing } from 'lit';
import type { ShareRow, SharesAnswer, UnsharedRoot } from './admin-answers.js';
import { renderMembers, type MembersEditor } from './admin-members.js';
import { formatBytes } from './format.js';

/** What the share table's buttons ask of the page. */
export interface ShareActions {
  /** A change is under way: Delete waits for it. */
  readonly busy: boolean;
  edit(share: ShareRow): void;
  editRoot(root: UnsharedRoot): void;
  remove(share: ShareRow): void;
}

/** A path or URL that may wrap after each slash (not in the middle of a name). */
const breakable = (text: string) => text.split(/(?<=\/)/).map((part, i) => (i === 0 ? part : html`<wbr />${part}`));

export function renderShares(data: SharesAnswer | null, actions: ShareActions, members: MembersEditor) {
  return html`<section aria-labelledby="shares-title">
    <h2 id="shares-title">Shares</h2>
    ${
      !data
        ? html`<p class="muted">Loading…</p>`
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
                        (p) =>
                          html`<li class=${p.severity === 'error' ? 'error' : 'muted'}>
                            <code>${p.key}</code>: ${p.message}
                          </li>`,
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
  const access = share.readonly
    ? 'Read-only'
    : `Read${share.uploadAllowed ? ', upload' : ''}${share.deleteAllowed ? ', delete' : ''}`;
  return html`<tr data-share=${share.id}>
    <td data-label="Share">
      <div class="mount">${name}</div>
      <div class="muted">
        ${share.kind === 'photo-root' ? 'photo folder' : 'extra share'} · <code>${share.source}</code>
      </div>
      <div>
        ${share.served ? html`<span class="badge ok">served</span>` : html`<span class="badge error">not served</span>`}
      </div>
      ${share.url ? html`<div class="url"><code>${breakable(share.url)}</code></div>` : nothing}
      ${
        share.problems.length
          ? html`<ul class="problems" aria-label="Problems of ${name}">
              ${share.problems.map((p) => html`<li class=${p.severity === 'error' ? 'error' : 'muted'}>${p.message} <span class="muted">(${p.key})</span></li>`)}
            </ul>`
          : nothing
      }
    </td>
    <td data-label="Folder" class="folder">
      ${share.folder ? html`<code>${breakable(share.folder)}</code>` : html`<span class="error">none</span>`}
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
    <td data-label="Members">${renderMembers(share, members)}</td>
    <td data-label="Actions">
      <div class="actions">
        <button type="button" aria-label="Edit ${name}" @click=${() => actions.edit(share)}>Edit</button>
        <button
          type="button"
          class="danger"
          aria-label="${share.kind === 'photo-root' ? 'Stop sharing' : 'Delete'} ${name}"
          ?disabled=${actions.busy}
          @click=${() => actions.remove(share)}
        >
          ${share.kind === 'photo-root' ? 'Stop sharing' : 'Delete'}
        </button>
      </div>
      ${errors.length ? html`<div class="error">${errors.length === 1 ? '1 problem' : `${errors.length} problems`}</div>` : nothing}
    </td>
  </tr>`;
}
