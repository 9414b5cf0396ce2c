/**
 * The share form: add a share, edit one, or share a photo folder of the host.
 * What it edits (FormState), the checks it makes before asking the server,
 * the body it sends, and how it looks. The page sends the body and keeps the
 * state.
 */
import { html, nothing } from 'lit';
import type { ShareRow, UnsharedRoot } from './admin-answers.js';

/** A photo folder about to be shared: it has no name yet. */
interface RootToShare {
  id: string;
  source: string;
  kind: 'photo-root';
  folder: string;
  mount: null;
  readonly: false;
}

/** What the share form edits: a new share, or an existing one (by its API id). */
export interface FormState {
  editing: ShareRow | RootToShare | null;
  mount: string;
  folder: string;
  readonly: boolean;
  errors: Record<string, string>;
  busy: boolean;
}

export type FormField = 'mount' | 'folder' | 'readonly';

/** The fields the form shows, in the order the focus goes through them. */
const FIELDS: readonly string[] = ['mount', 'folder', 'readonly'];

export const emptyForm = (): FormState => ({
  editing: null,
  mount: '',
  folder: '',
  readonly: false,
  errors: {},
  busy: false,
});

export const formForShare = (share: ShareRow): FormState => ({
  editing: share,
  mount: share.mount ?? '',
  folder: share.folder ?? '',
  readonly: share.readonly,
  errors: {},
  busy: false,
});

export const formForRoot = (root: UnsharedRoot): FormState => ({
  editing: { id: root.id, source: root.source, kind: 'photo-root', folder: root.folder, mount: null, readonly: false },
  mount: '',
  folder: root.folder,
  readonly: false,
  errors: {},
  busy: false,
});

/** Empty fields, found before the server is asked. */
export function missingFields(f: FormState): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!f.mount.trim()) errors['mount'] = 'is required';
  if (!f.folder.trim()) errors['folder'] = 'is required';
  return errors;
}

/** The body of POST or PUT admin/shares; a photo folder's path is the host's and is not sent. */
export function requestBodyOf(f: FormState): Record<string, unknown> {
  const body: Record<string, unknown> = { mount: f.mount.trim(), readonly: f.readonly };
  if (!f.editing || f.editing.kind !== 'photo-root') body['folder'] = f.folder.trim();
  return body;
}

/** The errors as the form shows them: one for a field it does not show (e.g. "body") still reaches the person, at the top. */
export function shownErrors(errors: Record<string, string>): Record<string, string> {
  const other = Object.entries(errors).filter(([k]) => !FIELDS.includes(k));
  const shown = { ...errors };
  if (other.length) shown['body'] = other.map(([k, v]) => `${k}: ${v}`).join('; ');
  return shown;
}

/** The first field with an error, to take the focus there. */
export const firstFieldWithError = (errors: Record<string, string>): string | undefined =>
  FIELDS.find((k) => errors[k]);

/** What the form's inputs and buttons ask of the page. */
export interface ShareFormActions {
  setField(name: FormField, value: string | boolean): void;
  submit(event: Event): void;
  cancel(): void;
}

export function renderShareForm(f: FormState, actions: ShareFormActions) {
  const editing = f.editing;
  const photoRoot = editing?.kind === 'photo-root';
  const title = editing
    ? editing.mount
      ? `Edit share ${editing.mount}`
      : `Share ${editing.folder ?? editing.source}`
    : 'Add a share';
  const field = (name: 'mount' | 'folder') => ({
    invalid: f.errors[name] ? 'true' : 'false',
    describedby: `${name}-hint${f.errors[name] ? ` ${name}-error` : ''}`,
  });
  return html`<section aria-labelledby="form-title">
    <h2 id="form-title" tabindex="-1">${title}</h2>
    <form class="share-form" novalidate @submit=${actions.submit}>
      ${f.errors['body'] ? html`<p class="error" role="alert">${f.errors['body']}</p>` : nothing}
      <div class="field">
        <label for="mount">Name</label>
        <input
          type="text"
          id="mount"
          name="mount"
          autocomplete="off"
          autocapitalize="none"
          spellcheck="false"
          required
          maxlength="64"
          .value=${f.mount}
          @input=${(e: Event) => actions.setField('mount', (e.target as HTMLInputElement).value)}
          aria-invalid=${field('mount').invalid}
          aria-describedby=${field('mount').describedby}
        />
        <p class="hint muted" id="mount-hint">
          The share's address becomes /webdav/<strong>name</strong>/ and its group WebDAV.<strong>name</strong>.
          Letters, digits, dots, dashes and underscores.
        </p>
        ${f.errors['mount'] ? html`<p class="error field-error" id="mount-error">Name: ${f.errors['mount']}</p>` : nothing}
      </div>
      <div class="field">
        <label for="folder">Folder on the server</label>
        <input
          type="text"
          id="folder"
          name="folder"
          autocomplete="off"
          autocapitalize="none"
          spellcheck="false"
          required
          ?readonly=${photoRoot}
          .value=${f.folder}
          @input=${(e: Event) => actions.setField('folder', (e.target as HTMLInputElement).value)}
          aria-invalid=${field('folder').invalid}
          aria-describedby=${field('folder').describedby}
        />
        <p class="hint muted" id="folder-hint">
          ${
            photoRoot
              ? html`A photo folder of the host (${editing?.source}.path): it is changed where the host's photo folders
                are set.`
              : html`An absolute path of an existing folder, e.g. /srv/scans.`
          }
        </p>
        ${f.errors['folder'] ? html`<p class="error field-error" id="folder-error">Folder: ${f.errors['folder']}</p>` : nothing}
      </div>
      <div class="field check">
        <input
          type="checkbox"
          id="readonly"
          name="readonly"
          .checked=${f.readonly}
          @change=${(e: Event) => actions.setField('readonly', (e.target as HTMLInputElement).checked)}
          aria-describedby="readonly-hint"
        />
        <label for="readonly">Read-only</label>
      </div>
      <p class="hint muted" id="readonly-hint">
        Members may only list and download; uploads, renames and deletes are refused.
      </p>
      ${f.errors['readonly'] ? html`<p class="error field-error">Read-only: ${f.errors['readonly']}</p>` : nothing}
      <div class="form-buttons">
        <button type="submit" ?disabled=${f.busy}>${editing ? 'Save changes' : 'Add share'}</button>
        ${editing ? html`<button type="button" @click=${actions.cancel}>Cancel</button>` : nothing}
      </div>
    </form>
  </section>`;
}
