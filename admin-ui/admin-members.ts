/**
 * A members list: who is in a group, a Remove button for each, and a list to
 * add one more of the host's users. A share's row has one for the share's
 * group and, when the share has a date view, one for the view's own group.
 */
import { html, nothing } from 'lit';
import type { ShareRow } from './admin-answers.js';

/** Whose members a list shows: the share's group, or the group of its date view. */
export interface MemberList {
  readonly share: ShareRow;
  readonly view: boolean;
  /** What the list is called in labels: the share's name, or the view's. */
  readonly name: string;
  readonly group: string;
  readonly members: readonly string[];
  /** Of its picker and its error in the page's state: the share id, with " view" for the view's list. */
  readonly key: string;
}

/** The list of the share's own group; null while the share has no valid name. */
export function shareMembers(share: ShareRow): MemberList | null {
  if (!share.group) return null;
  const name = share.mount ?? share.source;
  return { share, view: false, name, group: share.group, members: share.members, key: share.id };
}

/** The list of the group of the share's date view; null when it has none. */
export function viewMembers(share: ShareRow): MemberList | null {
  const view = share.dateView;
  if (!view) return null;
  return { share, view: true, name: view.mount, group: view.group, members: view.members, key: `${share.id} view` };
}

/** What a members list needs of the page. */
export interface MembersEditor {
  /** Every user name of the host. */
  readonly users: readonly string[];
  /** Per list key, the user picked in its "add member" list. */
  readonly choice: Readonly<Record<string, string>>;
  /** Per list key, why the last change to its members failed. */
  readonly errors: Readonly<Record<string, string>>;
  /** A change is under way: the buttons wait for it. */
  readonly busy: boolean;
  choose(list: MemberList, user: string): void;
  add(event: Event, list: MemberList): void;
  remove(list: MemberList, user: string): void;
}

export function renderMembers(list: MemberList | null, editor: MembersEditor) {
  if (!list) return html`<span class="muted">no group until the share has a valid name</span>`;
  const { name, members } = list;
  const candidates = editor.users.filter((u) => !members.includes(u));
  const choice = editor.choice[list.key] ?? '';
  const error = editor.errors[list.key];
  const selectId = `add-${list.share.source}${list.view ? '-view' : ''}`;
  return html`<div class="muted">
      ${list.view ? html`Date view <strong>${name}</strong> · ` : nothing}Group <code>${list.group}</code> ·
      ${members.length} ${members.length === 1 ? 'member' : 'members'}
    </div>
    <ul class="plain members" aria-label="Members of ${name}">
      ${members.map(
        (member) =>
          html`<li>
            <span>${member}</span>
            <button
              type="button"
              aria-label="Remove ${member} from ${name}"
              ?disabled=${editor.busy}
              @click=${() => editor.remove(list, member)}
            >
              Remove
            </button>
          </li>`,
      )}
    </ul>
    <form class="add-member" @submit=${(e: Event) => editor.add(e, list)}>
      <label class="sr-only" for=${selectId}>User to add to ${name}</label>
      <select
        id=${selectId}
        .value=${choice}
        @change=${(e: Event) => editor.choose(list, (e.target as HTMLSelectElement).value)}
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
