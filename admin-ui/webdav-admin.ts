/**
 * <webdav-admin>: the plugin's page in the host's admin panel. The plugin's
 * state, every share with its problems, adding and editing shares, who is in
 * each share's group, and the WebDAV audit log. Everything goes through the
 * plugin's JSON API, which checks on the server that the caller is an admin.
 */
import { LitElement, html, nothing } from 'lit';
import { adminStyles } from './admin-styles.js';
import { ApiFailure, call } from './api.js';
import { formatBytes, formatTime } from './format.js';
import { baseStyles } from './styles.js';

interface Problem {
  key: string;
  message: string;
  severity: 'error' | 'notice';
}

interface ShareRow {
  id: string;
  mount: string | null;
  source: string;
  kind: 'photo-root' | 'extra';
  folder: string | null;
  served: boolean;
  readonly: boolean;
  uploadAllowed: boolean;
  deleteAllowed: boolean;
  group: string | null;
  members: string[];
  memberCount: number;
  space: { freeBytes: number; usedBytes: number } | null;
  url: string | null;
  problems: Problem[];
}

interface SharesAnswer {
  switches: { uploadAllowed: boolean; deleteAllowed: boolean; auditEnabled: boolean };
  baseUrl: string | null;
  shares: ShareRow[];
  unsharedRoots: Array<{ id: string; source: string; folder: string }>;
  problems: Problem[];
}

interface StatusAnswer {
  plugin: { id: string; name: string; version: string; state: string };
  host: { name: string; version: string; apiVersion: string };
  pluginListUrl: string;
  shares: { served: number; configured: number };
  problems: number;
  switches: { uploadAllowed: boolean; deleteAllowed: boolean; auditEnabled: boolean };
  baseUrl: string | null;
}

interface AuditEntry {
  time: string;
  user: string | null;
  address: string;
  method: string;
  path: string;
  destination: string | null;
  status: number;
  bytesIn: number;
  bytesOut: number;
  durationMs: number;
}

interface AuditAnswer {
  enabled: boolean;
  total: number;
  offset: number;
  limit: number;
  entries: AuditEntry[];
}

/** What the share form edits: a new share, or an existing one (by its API id). */
interface FormState {
  editing: ShareRow | { id: string; source: string; kind: 'photo-root'; folder: string; mount: null; readonly: false } | null;
  mount: string;
  folder: string;
  readonly: boolean;
  errors: Record<string, string>;
  busy: boolean;
}

const AUDIT_PAGE = 25;

/** A path or URL that may wrap after each slash (not in the middle of a name). */
const breakable = (text: string) => text.split(/(?<=\/)/).map((part, i) => (i === 0 ? part : html`<wbr />${part}`));
const emptyForm = (): FormState => ({ editing: null, mount: '', folder: '', readonly: false, errors: {}, busy: false });

export class WebdavAdmin extends LitElement {
  static override properties = {
    status: { state: true },
    shares: { state: true },
    users: { state: true },
    audit: { state: true },
    auditQuery: { state: true },
    auditOffset: { state: true },
    form: { state: true },
    failure: { state: true },
    message: { state: true },
    memberChoice: { state: true },
    memberErrors: { state: true },
    busy: { state: true },
  };

  static override styles = [baseStyles, adminStyles];

  declare status: StatusAnswer | null;
  declare shares: SharesAnswer | null;
  declare users: string[];
  declare audit: AuditAnswer | null;
  declare auditQuery: string;
  declare auditOffset: number;
  declare form: FormState;
  declare failure: string;
  declare message: string;
  /** Per share id, the user picked in its "add member" list. */
  declare memberChoice: Record<string, string>;
  declare memberErrors: Record<string, string>;
  declare busy: boolean;

  constructor() {
    super();
    this.status = null;
    this.shares = null;
    this.users = [];
    this.audit = null;
    this.auditQuery = '';
    this.auditOffset = 0;
    this.form = emptyForm();
    this.failure = '';
    this.message = '';
    this.memberChoice = {};
    this.memberErrors = {};
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  /** Reloads everything; an error shows once at the top. */
  async refresh(): Promise<void> {
    try {
      const [status, shares, users] = await Promise.all([
        call<StatusAnswer>(this, 'GET', '/admin/status'),
        call<SharesAnswer>(this, 'GET', '/admin/shares'),
        call<{ users: string[] }>(this, 'GET', '/admin/users'),
      ]);
      this.status = status;
      this.shares = shares;
      this.users = users.users;
      this.failure = '';
    } catch (error) {
      this.failure = (error as Error).message;
    }
    await this.loadAudit();
  }

  private async reloadShares(): Promise<void> {
    try {
      const [status, shares] = await Promise.all([
        call<StatusAnswer>(this, 'GET', '/admin/status'),
        call<SharesAnswer>(this, 'GET', '/admin/shares'),
      ]);
      this.status = status;
      this.shares = shares;
    } catch (error) {
      this.failure = (error as Error).message;
    }
  }

  async loadAudit(): Promise<void> {
    const params = new URLSearchParams({ offset: String(this.auditOffset), limit: String(AUDIT_PAGE) });
    if (this.auditQuery.trim()) params.set('q', this.auditQuery.trim());
    try {
      this.audit = await call<AuditAnswer>(this, 'GET', `/admin/audit?${params.toString()}`);
    } catch (error) {
      this.failure = (error as Error).message;
    }
  }

  override render() {
    return html`
      ${this.failure ? html`<p class="error" role="alert">${this.failure}</p>` : nothing}
      <p class="sr-only" role="status" aria-live="polite">${this.message}</p>
      ${this.renderStatus()} ${this.renderShares()} ${this.renderForm()} ${this.renderAudit()}
    `;
  }

  private renderStatus() {
    const s = this.status;
    return html`<section aria-labelledby="state-title">
      <h2 id="state-title">Plugin</h2>
      ${s
        ? html`<dl class="state">
            <dt>State</dt>
            <dd>
              <strong class="ok">Enabled</strong> — ${s.plugin.name} ${s.plugin.version} on ${s.host.name} ${s.host.version}.
              It is switched on and off in the <a href=${s.pluginListUrl}>host's plugin list</a>.
            </dd>
            <dt>Shares</dt>
            <dd>
              ${s.shares.served} of ${s.shares.configured} served${s.problems
                ? html`, <span class="error">${s.problems} settings ${s.problems === 1 ? 'problem' : 'problems'}</span>`
                : nothing}
            </dd>
            <dt>Uploads</dt>
            <dd>${s.switches.uploadAllowed ? 'allowed' : 'refused everywhere (webdav.uploadallowed=false)'}</dd>
            <dt>Deleting</dt>
            <dd>${s.switches.deleteAllowed ? 'allowed' : 'refused everywhere (webdav.deleteallowed=false)'}</dd>
            <dt>Audit log</dt>
            <dd>${s.switches.auditEnabled ? 'on' : 'off (user.log.webdav=false)'}</dd>
            <dt>Public URL</dt>
            <dd>${s.baseUrl ?? html`<span class="muted">the address the browser uses (webdav.baseurl is not set)</span>`}</dd>
          </dl>`
        : html`<p class="muted">Loading…</p>`}
    </section>`;
  }

  private renderShares() {
    const data = this.shares;
    return html`<section aria-labelledby="shares-title">
      <h2 id="shares-title">Shares</h2>
      ${!data
        ? html`<p class="muted">Loading…</p>`
        : html`
            ${data.shares.length === 0
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
                    ${data.shares.map((share) => this.renderShareRow(share))}
                  </tbody>
                </table>`}
            ${data.problems.length
              ? html`<h3>Other settings problems</h3>
                  <ul class="problems">
                    ${data.problems.map(
                      (p) => html`<li class=${p.severity === 'error' ? 'error' : 'muted'}><code>${p.key}</code>: ${p.message}</li>`,
                    )}
                  </ul>`
              : nothing}
            ${data.unsharedRoots.length
              ? html`<h3>Photo folders that are not shared</h3>
                  <ul class="plain">
                    ${data.unsharedRoots.map(
                      (root) => html`<li class="toolbar">
                        <span class="folder"><code>${root.folder}</code> <span class="muted">(${root.source})</span></span>
                        <button type="button" aria-label="Share photo folder ${root.folder}" @click=${() => this.editRoot(root)}>
                          Share…
                        </button>
                      </li>`,
                    )}
                  </ul>`
              : nothing}
          `}
    </section>`;
  }

  private renderShareRow(share: ShareRow) {
    const name = share.mount ?? share.source;
    const errors = share.problems.filter((p) => p.severity === 'error');
    const access = share.readonly
      ? 'Read-only'
      : `Read${share.uploadAllowed ? ', upload' : ''}${share.deleteAllowed ? ', delete' : ''}`;
    const candidates = this.users.filter((u) => !share.members.includes(u));
    const choice = this.memberChoice[share.id] ?? '';
    const memberError = this.memberErrors[share.id];
    const selectId = `add-${share.source}`;
    return html`<tr data-share=${share.id}>
      <td data-label="Share">
        <div class="mount">${name}</div>
        <div class="muted">${share.kind === 'photo-root' ? 'photo folder' : 'extra share'} · <code>${share.source}</code></div>
        <div>
          ${share.served
            ? html`<span class="badge ok">served</span>`
            : html`<span class="badge error">not served</span>`}
        </div>
        ${share.url ? html`<div class="url"><code>${breakable(share.url)}</code></div>` : nothing}
        ${share.problems.length
          ? html`<ul class="problems" aria-label="Problems of ${name}">
              ${share.problems.map((p) => html`<li class=${p.severity === 'error' ? 'error' : 'muted'}>${p.message} <span class="muted">(${p.key})</span></li>`)}
            </ul>`
          : nothing}
      </td>
      <td data-label="Folder" class="folder">${share.folder ? html`<code>${breakable(share.folder)}</code>` : html`<span class="error">none</span>`}</td>
      <td data-label="Access and space">
        ${access}
        ${!share.readonly && !share.uploadAllowed ? html`<div class="muted">uploads switched off</div>` : nothing}
        ${!share.readonly && !share.deleteAllowed ? html`<div class="muted">deleting switched off</div>` : nothing}
        ${share.space
          ? html`<div class="space">${formatBytes(share.space.freeBytes)} free</div>
              <div class="muted">${formatBytes(share.space.usedBytes)} used</div>`
          : nothing}
      </td>
      <td data-label="Members">
        ${share.group
          ? html`<div class="muted">Group <code>${share.group}</code> · ${share.memberCount} ${share.memberCount === 1 ? 'member' : 'members'}</div>
              <ul class="plain members" aria-label="Members of ${name}">
                ${share.members.map(
                  (member) => html`<li>
                    <span>${member}</span>
                    <button type="button" aria-label="Remove ${member} from ${name}" ?disabled=${this.busy} @click=${() => this.removeMember(share, member)}>
                      Remove
                    </button>
                  </li>`,
                )}
              </ul>
              <form class="add-member" @submit=${(e: Event) => this.addMember(e, share)}>
                <label class="sr-only" for=${selectId}>User to add to ${name}</label>
                <select
                  id=${selectId}
                  .value=${choice}
                  @change=${(e: Event) => (this.memberChoice = { ...this.memberChoice, [share.id]: (e.target as HTMLSelectElement).value })}
                  aria-invalid=${memberError ? 'true' : 'false'}
                  aria-describedby=${memberError ? `${selectId}-error` : nothing}
                >
                  <option value="">${candidates.length ? 'Add a user…' : 'No one left to add'}</option>
                  ${candidates.map((u) => html`<option value=${u} ?selected=${u === choice}>${u}</option>`)}
                </select>
                <button type="submit" ?disabled=${this.busy || !choice} aria-label="Add the chosen user to ${name}">Add</button>
              </form>
              ${memberError ? html`<p class="error field-error" id="${selectId}-error">${memberError}</p>` : nothing}`
          : html`<span class="muted">no group until the share has a valid name</span>`}
      </td>
      <td data-label="Actions">
        <div class="actions">
          <button type="button" aria-label="Edit ${name}" @click=${() => this.edit(share)}>Edit</button>
          <button type="button" class="danger" aria-label="${share.kind === 'photo-root' ? 'Stop sharing' : 'Delete'} ${name}" ?disabled=${this.busy} @click=${() => this.removeShare(share)}>
            ${share.kind === 'photo-root' ? 'Stop sharing' : 'Delete'}
          </button>
        </div>
        ${errors.length ? html`<div class="error">${errors.length === 1 ? '1 problem' : `${errors.length} problems`}</div>` : nothing}
      </td>
    </tr>`;
  }

  private renderForm() {
    const f = this.form;
    const editing = f.editing;
    const photoRoot = editing?.kind === 'photo-root';
    const title = editing ? (editing.mount ? `Edit share ${editing.mount}` : `Share ${editing.folder ?? editing.source}`) : 'Add a share';
    const field = (name: 'mount' | 'folder') => ({
      invalid: f.errors[name] ? 'true' : 'false',
      describedby: `${name}-hint${f.errors[name] ? ` ${name}-error` : ''}`,
    });
    return html`<section aria-labelledby="form-title">
      <h2 id="form-title" tabindex="-1">${title}</h2>
      <form class="share-form" novalidate @submit=${this.submit}>
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
            @input=${(e: Event) => this.setField('mount', (e.target as HTMLInputElement).value)}
            aria-invalid=${field('mount').invalid}
            aria-describedby=${field('mount').describedby}
          />
          <p class="hint muted" id="mount-hint">
            The share's address becomes /webdav/<strong>name</strong>/ and its group WebDAV.<strong>name</strong>. Letters,
            digits, dots, dashes and underscores.
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
            @input=${(e: Event) => this.setField('folder', (e.target as HTMLInputElement).value)}
            aria-invalid=${field('folder').invalid}
            aria-describedby=${field('folder').describedby}
          />
          <p class="hint muted" id="folder-hint">
            ${photoRoot
              ? html`A photo folder of the host (${editing?.source}.path): it is changed where the host's photo folders are set.`
              : html`An absolute path of an existing folder, e.g. /srv/scans.`}
          </p>
          ${f.errors['folder'] ? html`<p class="error field-error" id="folder-error">Folder: ${f.errors['folder']}</p>` : nothing}
        </div>
        <div class="field check">
          <input
            type="checkbox"
            id="readonly"
            name="readonly"
            .checked=${f.readonly}
            @change=${(e: Event) => this.setField('readonly', (e.target as HTMLInputElement).checked)}
            aria-describedby="readonly-hint"
          />
          <label for="readonly">Read-only</label>
        </div>
        <p class="hint muted" id="readonly-hint">Members may only list and download; uploads, renames and deletes are refused.</p>
        ${f.errors['readonly'] ? html`<p class="error field-error">Read-only: ${f.errors['readonly']}</p>` : nothing}
        <div class="form-buttons">
          <button type="submit" ?disabled=${f.busy}>${editing ? 'Save changes' : 'Add share'}</button>
          ${editing ? html`<button type="button" @click=${this.cancelEdit}>Cancel</button>` : nothing}
        </div>
      </form>
    </section>`;
  }

  private renderAudit() {
    const a = this.audit;
    const first = a && a.total > 0 ? a.offset + 1 : 0;
    const last = a ? a.offset + a.entries.length : 0;
    return html`<section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <p class="muted">
        ${a?.enabled
          ? 'Every WebDAV request is recorded (user.log.webdav=true).'
          : 'Recording is off (set user.log.webdav=true to record WebDAV requests); earlier entries stay searchable.'}
      </p>
      <form class="audit-search" role="search" @submit=${this.searchAudit}>
        <div class="field" style="flex: 1 1 14rem; margin: 0">
          <label for="audit-q">Search user, address, method or path</label>
          <input type="search" id="audit-q" name="q" style="width: 100%" .value=${this.auditQuery} @input=${(e: Event) => (this.auditQuery = (e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit">Search</button>
      </form>
      ${!a
        ? html`<p class="muted">Loading…</p>`
        : a.entries.length === 0
          ? html`<p>No entries${this.auditQuery.trim() ? html` match “${this.auditQuery.trim()}”` : nothing}.</p>`
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
                  (e) => html`<tr>
                    <td data-label="Time">${formatTime(e.time)}</td>
                    <td data-label="User">${e.user ?? html`<span class="muted">anonymous</span>`}</td>
                    <td data-label="Address" class="mono">${e.address}</td>
                    <td data-label="Request" class="folder">
                      <span class="mono">${e.method}</span> ${e.path}${e.destination ? html` → ${e.destination}` : nothing}
                    </td>
                    <td data-label="Status" class=${e.status >= 400 ? 'error' : ''}>${e.status}</td>
                    <td data-label="Bytes in / out" class="num">${formatBytes(e.bytesIn)} / ${formatBytes(e.bytesOut)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      ${a && a.total > 0
        ? html`<div class="pager">
            <button type="button" ?disabled=${a.offset === 0} @click=${() => this.auditPage(-1)}>Newer</button>
            <span aria-live="polite">Entries ${first}–${last} of ${a.total}</span>
            <button type="button" ?disabled=${last >= a.total} @click=${() => this.auditPage(1)}>Older</button>
            <button type="button" @click=${() => this.loadAudit()}>Refresh</button>
          </div>`
        : nothing}
    </section>`;
  }

  private setField(name: 'mount' | 'folder' | 'readonly', value: string | boolean): void {
    const errors = { ...this.form.errors };
    delete errors[name];
    this.form = { ...this.form, [name]: value, errors };
  }

  private async focusForm(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#form-title')?.scrollIntoView({ block: 'start' });
    this.renderRoot.querySelector<HTMLInputElement>('#mount')?.focus();
  }

  private edit(share: ShareRow): void {
    this.form = { editing: share, mount: share.mount ?? '', folder: share.folder ?? '', readonly: share.readonly, errors: {}, busy: false };
    void this.focusForm();
  }

  private editRoot(root: { id: string; source: string; folder: string }): void {
    this.form = {
      editing: { id: root.id, source: root.source, kind: 'photo-root', folder: root.folder, mount: null, readonly: false },
      mount: '',
      folder: root.folder,
      readonly: false,
      errors: {},
      busy: false,
    };
    void this.focusForm();
  }

  private cancelEdit = (): void => {
    this.form = emptyForm();
  };

  private submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const f = this.form;
    const errors: Record<string, string> = {};
    if (!f.mount.trim()) errors['mount'] = 'is required';
    if (!f.folder.trim()) errors['folder'] = 'is required';
    if (Object.keys(errors).length) return this.showFormErrors(errors);
    this.form = { ...f, busy: true, errors: {} };
    const body: Record<string, unknown> = { mount: f.mount.trim(), readonly: f.readonly };
    if (!f.editing || f.editing.kind !== 'photo-root') body['folder'] = f.folder.trim();
    try {
      const answer = f.editing
        ? await call<{ share: ShareRow | null }>(this, 'PUT', `/admin/shares/${encodeURIComponent(f.editing.id)}`, body)
        : await call<{ share: ShareRow | null }>(this, 'POST', '/admin/shares', body);
      const mount = answer.share?.mount ?? f.mount.trim();
      this.message = f.editing ? `Share ${mount} saved.` : `Share ${mount} added. Add its users in the table.`;
      this.form = emptyForm();
      await this.reloadShares();
      // Take keyboard users to the share they just made.
      await this.updateComplete;
      const id = answer.share?.id;
      const row = id ? this.renderRoot.querySelector<HTMLElement>(`tr[data-share="${CSS.escape(id)}"] select`) : null;
      row?.focus();
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 400 && Object.keys(error.fields).length) {
        this.form = { ...this.form, busy: false };
        return this.showFormErrors({ ...error.fields });
      }
      this.form = { ...this.form, busy: false, errors: { body: (error as Error).message } };
    }
  };

  private async showFormErrors(errors: Record<string, string>): Promise<void> {
    // A field the form does not show (e.g. "body") still reaches the person.
    const known = ['mount', 'folder', 'readonly'];
    const other = Object.entries(errors).filter(([k]) => !known.includes(k));
    const shown = { ...errors };
    if (other.length) shown['body'] = other.map(([k, v]) => `${k}: ${v}`).join('; ');
    this.form = { ...this.form, errors: shown, busy: false };
    this.message = 'The share was not saved: ' + Object.values(shown).join('; ');
    await this.updateComplete;
    const first = known.find((k) => shown[k]);
    if (first) this.renderRoot.querySelector<HTMLElement>(`#${first}`)?.focus();
  }

  private async removeShare(share: ShareRow): Promise<void> {
    const name = share.mount ?? share.source;
    const question =
      share.kind === 'photo-root'
        ? `Stop sharing ${name} over WebDAV? The photo folder stays, and the group ${share.group ?? ''} keeps its members.`
        : `Delete the share ${name}? The folder and its files stay on the server, and the group ${share.group ?? ''} keeps its members.`;
    if (!window.confirm(question)) return;
    await this.mutate(async () => {
      await call(this, 'DELETE', `/admin/shares/${encodeURIComponent(share.id)}`);
      if (this.form.editing?.id === share.id) this.form = emptyForm();
      this.message = `Share ${name} removed.`;
    });
  }

  private async addMember(event: Event, share: ShareRow): Promise<void> {
    event.preventDefault();
    const user = this.memberChoice[share.id];
    if (!user) return;
    await this.mutate(async () => {
      await call(this, 'POST', `/admin/shares/${encodeURIComponent(share.id)}/members/${encodeURIComponent(user)}`);
      this.memberChoice = { ...this.memberChoice, [share.id]: '' };
      this.message = `${user} added to ${share.mount}.`;
    }, share.id);
  }

  private async removeMember(share: ShareRow, user: string): Promise<void> {
    await this.mutate(async () => {
      await call(this, 'DELETE', `/admin/shares/${encodeURIComponent(share.id)}/members/${encodeURIComponent(user)}`);
      this.message = `${user} removed from ${share.mount}.`;
    }, share.id);
    // The button that had the focus is gone: keep the keyboard user in the same place.
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`tr[data-share="${CSS.escape(share.id)}"] select`)?.focus();
  }

  /** Runs a change, shows its error next to the share (or at the top), and reloads the table. */
  private async mutate(fn: () => Promise<void>, shareId?: string): Promise<void> {
    this.busy = true;
    const errors = { ...this.memberErrors };
    if (shareId) delete errors[shareId];
    this.memberErrors = errors;
    try {
      await fn();
      this.failure = '';
    } catch (error) {
      const message = (error as Error).message;
      if (shareId) this.memberErrors = { ...this.memberErrors, [shareId]: message };
      else this.failure = message;
      this.message = message;
    } finally {
      this.busy = false;
    }
    await this.reloadShares();
  }

  private searchAudit = async (event: Event): Promise<void> => {
    event.preventDefault();
    this.auditOffset = 0;
    await this.loadAudit();
  };

  private async auditPage(direction: 1 | -1): Promise<void> {
    this.auditOffset = Math.max(0, this.auditOffset + direction * AUDIT_PAGE);
    await this.loadAudit();
  }
}

if (!customElements.get('webdav-admin')) customElements.define('webdav-admin', WebdavAdmin);
