/**
 * The members cell of a share's row: who is in the share's group, a Remove
 * button for each, and a list to add one more of the host's users.
 */
import { html, nothing } from 'lit';
import type { ShareRow } from './admin-answers.js';

/** What the members cell needs of the page. */
export interface MembersEditor {
  /** Every user name of the host. */
  readonly users: readonly string[];
  /** Per share id, the user picked in its "add member" list. */
  readonly choice: Readonly<Record<string, string>>;
  /** Per share id, why the last change to its members failed. */
  readonly errors: Readonly<Record<string, string>>;
  /** A change is under way: the buttons wait for it. */
  readonly busy: boolean;
  choose(share: ShareRow, user: string): void;
  add(event: Event, share: ShareRow): void;
  remove(share: ShareRow, user: string): void;
}

export function renderMembers(share: ShareRow, editor: MembersEditor) {
  if (!share.group) return html`<span class="muted">no group until the share has a valid name</span>`;
  const name = share.mount ?? share.source;
  const candidates = editor.users.filter((u) => !share.members.includes(u));
  const choice = editor.choice[share.id] ?? '';
  const error = editor.errors[share.id];
  const selectId = `add-${share.source}`;
  return html`<div class="muted">
      Group <code>${share.group}</code> · ${share.memberCount} ${share.memberCount === 1 ? 'member' : 'members'}
    </div>
    <ul class="plain members" aria-label="Members of ${name}">
      ${share.members.map(
        (member) =>
          html`<li>
            <span>${member}</span>
            <button
              type="button"
              aria-label="Remove ${member} from ${name}"
              ?disabled=${editor.busy}
              @click=${() => editor.remove(share, member)}
            >
              Remove
            </button>
          </li>`,
      )}
    </ul>
    <form class="add-member" @submit=${(e: Event) => editor.add(e, share)}>
      <label class="sr-only" for=${selectId}>User to add to ${name}</label>
      <select
        id=${selectId}
        .value=${choice}
        @change=${(e: Event) => editor.choose(share, (e.target as HTMLSelectElement).value)}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${error ? `${selectId}-error` : nothing}
      >
        <option value="">${candidates.length ? 'Add a user…' : 'No one left to add'}</option>
        ${candidates.map((u) => html`<option value=${u} ?selected=${u === choice}>${u}</option>`)}
      </select>
      <button type="submit" ?disabled=${editor.busy || !choice} aria-label="Add the chosen user to ${name}">Add</button>
    </form>
    ${error ? html`<p class="error field-error" id="${selectId}-error">${error}</p>` : nothing}`;
}
