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
  /** The date view's name; empty: none. */
  dateMount: string;
  /** The inbox folder inside the share; empty: none. */
  inbox: string;
  errors: Record<string, string>;
  busy: boolean;
}

export type FormField = 'mount' | 'folder' | 'readonly' | 'dateMount' | 'inbox';

/** The fields the form shows, in the order the focus goes through them, with their labels. */
const LABELS: Readonly<Record<string, string>> = {
  mount: 'Name',
  folder: 'Folder on the server',
  readonly: 'Read-only',
  dateMount: 'Date view name',
  inbox: 'Inbox folder',
};
const FIELDS: readonly string[] = Object.keys(LABELS);

export const emptyForm = (): FormState => ({
  editing: null,
  mount: '',
  folder: '',
  readonly: false,
  dateMount: '',
  inbox: '',
  errors: {},
  busy: false,
});

export const formForShare = (share: ShareRow): FormState => ({
  editing: share,
  mount: share.mount ?? '',
  folder: share.folder ?? '',
  readonly: share.readonly,
  dateMount: share.dateMount ?? '',
  inbox: share.inboxFolder ?? '',
  errors: {},
  busy: false,
});

export const formForRoot = (root: UnsharedRoot): FormState => ({
  editing: { id: root.id, source: root.source, kind: 'photo-root', folder: root.folder, mount: null, readonly: false },
  mount: '',
  folder: root.folder,
  readonly: false,
  dateMount: '',
  inbox: '',
  errors: {},
  busy: false,
});

/** Empty fields, found before the server is asked; each message names its field and says what to do. */
export function missingFields(f: FormState): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!f.mount.trim()) errors['mount'] = 'Name: give the share a name, e.g. scans.';
  if (!f.folder.trim()) errors['folder'] = 'Folder on the server: give the folder to share, e.g. /srv/scans.';
  return errors;
}

/** The body of POST or PUT admin/shares; a photo folder's path is the host's and is not sent. An empty view name or inbox removes it. */
export function requestBodyOf(f: FormState): Record<string, unknown> {
  const body: Record<string, unknown> = {
    mount: f.mount.trim(),
    readonly: f.readonly,
    dateMount: f.dateMount.trim(),
    inbox: f.inbox.trim(),
  };
  if (!f.editing || f.editing.kind !== 'photo-root') body['folder'] = f.folder.trim();
  return body;
}

/**
 * The server's field errors ("mount": "use 1 to 64 letters…") as the form
 * shows them, each starting with its field's label. One for a field the form
 * does not show (e.g. "body") still reaches the person, at the top.
 */
export function shownErrors(errors: Record<string, string>): Record<string, string> {
  const shown: Record<string, string> = {};
  const other: string[] = [];
  for (const [field, text] of Object.entries(errors)) {
    if (LABELS[field]) shown[field] = `${LABELS[field]}: ${text}`;
    else other.push(field === 'body' ? text : `${field}: ${text}`);
  }
  if (other.length) shown['body'] = other.join('; ');
  return shown;
}

/** One sentence for the status line: "The share was not saved. Name: …. Folder on the server: …." */
export function errorSummary(shown: Record<string, string>): string {
  const sentences = [...FIELDS, 'body']
    .map((field) => shown[field])
    .filter((text): text is string => Boolean(text))
    .map((text) => (/[.!?]$/.test(text) ? text : `${text}.`));
  return ['The share was not saved.', ...sentences].join(' ');
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
  const field = ariaOf(f);
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
        ${f.errors['mount'] ? html`<p class="error field-error" id="mount-error">${f.errors['mount']}</p>` : nothing}
      </div>
      ${photoRoot ? renderHostFolder(f, editing.source) : renderFolderField(f, actions)}
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
      ${f.errors['readonly'] ? html`<p class="error field-error">${f.errors['readonly']}</p>` : nothing}
      ${renderOptionalField(f, actions, {
        name: 'dateMount',
        hint: html`Optional. A read-only view by capture date at /webdav/<strong>name</strong>/ (folders YYYY/YYYY-MM),
        used by the members of its own group WebDAV.<strong>name</strong>. Empty: no date view.`,
      })}
      ${renderOptionalField(f, actions, {
        name: 'inbox',
        hint: html`Optional. A folder inside the share, e.g. Inbox: files dropped here are filed into YYYY/YYYY-MM by
        their capture date. Empty: no inbox.`,
      })}
      <div class="form-buttons">
        <button type="submit" ?disabled=${f.busy}>${editing ? 'Save changes' : 'Add share'}</button>
        ${editing ? html`<button type="button" @click=${actions.cancel}>Cancel</button>` : nothing}
      </div>
    </form>
  </section>`;
}

const ariaOf = (f: FormState) => (name: 'mount' | 'folder' | 'dateMount' | 'inbox') => ({
  invalid: f.errors[name] ? 'true' : 'false',
  describedby: `${name}-hint${f.errors[name] ? ` ${name}-error` : ''}`,
});

function renderFolderField(f: FormState, actions: ShareFormActions) {
  const aria = ariaOf(f)('folder');
  return html`<div class="field">
    <label for="folder">Folder on the server</label>
    <input
      type="text"
      id="folder"
      name="folder"
      autocomplete="off"
      autocapitalize="none"
      spellcheck="false"
      required
      .value=${f.folder}
      @input=${(e: Event) => actions.setField('folder', (e.target as HTMLInputElement).value)}
      aria-invalid=${aria.invalid}
      aria-describedby=${aria.describedby}
    />
    <p class="hint muted" id="folder-hint">An absolute path of an existing folder, e.g. /srv/scans.</p>
    ${f.errors['folder'] ? html`<p class="error field-error" id="folder-error">${f.errors['folder']}</p>` : nothing}
  </div>`;
}

/** A text field that may stay empty, with its hint and its error (the date view's name, the inbox folder). */
function renderOptionalField(
  f: FormState,
  actions: ShareFormActions,
  field: { name: 'dateMount' | 'inbox'; hint: unknown },
) {
  const { name } = field;
  const aria = ariaOf(f)(name);
  return html`<div class="field">
    <label for=${name}>${LABELS[name]} <span class="muted optional">(optional)</span></label>
    <input
      type="text"
      id=${name}
      name=${name}
      autocomplete="off"
      autocapitalize="none"
      spellcheck="false"
      maxlength=${name === 'dateMount' ? '64' : '1024'}
      .value=${f[name]}
      @input=${(e: Event) => actions.setField(name, (e.target as HTMLInputElement).value)}
      aria-invalid=${aria.invalid}
      aria-describedby=${aria.describedby}
    />
    <p class="hint muted" id="${name}-hint">${field.hint}</p>
    ${f.errors[name] ? html`<p class="error field-error" id="${name}-error">${f.errors[name]}</p>` : nothing}
  </div>`;
}

/** A photo folder belongs to the host: shown as text, not as a field that looks editable. */
function renderHostFolder(f: FormState, source: string) {
  return html`<div class="field">
    <span class="label">Folder on the server</span>
    <p class="fixed-value"><code>${f.folder}</code> <span class="badge">set by the host</span></p>
    <p class="hint muted" id="folder-hint">
      A photo folder of the host (<code>${source}.path</code>). It cannot be changed here: it is changed where the
      host's photo folders are set. Only its WebDAV settings (name, read-only, date view, inbox) are written.
    </p>
    ${f.errors['folder'] ? html`<p class="error field-error" id="folder-error">${f.errors['folder']}</p>` : nothing}
  </div>`;
}
