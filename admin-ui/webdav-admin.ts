/**
 * <webdav-admin>: the plugin's page in the host's admin panel. The plugin's
 * state, every share with its problems, adding and editing shares, who is in
 * each share's group, and the WebDAV audit log. Everything goes through the
 * plugin's JSON API, which checks on the server that the caller is an admin.
 *
 * The element keeps the state and talks to the API; each section is drawn by
 * its own module (admin-status, admin-shares with admin-members,
 * admin-share-form, admin-audit) into this one shadow root.
 */
import { LitElement, html, nothing } from 'lit';
import type { AuditAnswer, ShareRow, SharesAnswer, StatusAnswer, UnsharedRoot } from './admin-answers.js';
import { auditPath, AUDIT_PAGE, renderAuditLog, type AuditActions } from './admin-audit.js';
import type { MembersEditor } from './admin-members.js';
import {
  emptyForm,
  firstFieldWithError,
  formForRoot,
  formForShare,
  missingFields,
  renderShareForm,
  requestBodyOf,
  shownErrors,
  type FormField,
  type FormState,
  type ShareFormActions,
} from './admin-share-form.js';
import { renderShares, type ShareActions } from './admin-shares.js';
import { renderStatus } from './admin-status.js';
import { adminStyles } from './admin-styles.js';
import './admin-locks.js';
import './admin-traffic.js';
import { ApiFailure, call } from './api.js';
import { baseStyles } from './styles.js';

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
    try {
      this.audit = await call<AuditAnswer>(this, 'GET', auditPath(this.auditQuery, this.auditOffset));
    } catch (error) {
      this.failure = (error as Error).message;
    }
  }

  override render() {
    return html`
      ${this.failure ? html`<p class="error" role="alert">${this.failure}</p>` : nothing}
      <p class="sr-only" role="status" aria-live="polite">${this.message}</p>
      ${renderStatus(this.status)} ${renderShares(this.shares, this.shareActions(), this.membersEditor())}
      ${renderShareForm(this.form, this.formActions)}
      <webdav-traffic></webdav-traffic><webdav-locks></webdav-locks>
      ${renderAuditLog(this.audit, this.auditActions())}
    `;
  }

  private shareActions(): ShareActions {
    return {
      busy: this.busy,
      edit: (share) => this.edit(share),
      editRoot: (root) => this.editRoot(root),
      remove: (share) => void this.removeShare(share),
    };
  }

  private membersEditor(): MembersEditor {
    return {
      users: this.users,
      choice: this.memberChoice,
      errors: this.memberErrors,
      busy: this.busy,
      choose: (share, user) => {
        this.memberChoice = { ...this.memberChoice, [share.id]: user };
      },
      add: (event, share) => void this.addMember(event, share),
      remove: (share, user) => void this.removeMember(share, user),
    };
  }

  private readonly formActions: ShareFormActions = {
    setField: (name, value) => this.setField(name, value),
    submit: (event) => void this.submit(event),
    cancel: () => {
      this.form = emptyForm();
    },
  };

  private auditActions(): AuditActions {
    return {
      query: this.auditQuery,
      setQuery: (query) => {
        this.auditQuery = query;
      },
      search: (event) => void this.searchAudit(event),
      page: (direction) => void this.auditPage(direction),
      refresh: () => void this.loadAudit(),
    };
  }

  private setField(name: FormField, value: string | boolean): void {
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
    this.form = formForShare(share);
    void this.focusForm();
  }

  private editRoot(root: UnsharedRoot): void {
    this.form = formForRoot(root);
    void this.focusForm();
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const f = this.form;
    const missing = missingFields(f);
    if (Object.keys(missing).length) return this.showFormErrors(missing);
    this.form = { ...f, busy: true, errors: {} };
    const body = requestBodyOf(f);
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
  }

  private async showFormErrors(errors: Record<string, string>): Promise<void> {
    const shown = shownErrors(errors);
    this.form = { ...this.form, errors: shown, busy: false };
    this.message = 'The share was not saved: ' + Object.values(shown).join('; ');
    await this.updateComplete;
    const first = firstFieldWithError(shown);
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

  private async searchAudit(event: Event): Promise<void> {
    event.preventDefault();
    this.auditOffset = 0;
    await this.loadAudit();
  }

  private async auditPage(direction: 1 | -1): Promise<void> {
    this.auditOffset = Math.max(0, this.auditOffset + direction * AUDIT_PAGE);
    await this.loadAudit();
  }
}

if (!customElements.get('webdav-admin')) customElements.define('webdav-admin', WebdavAdmin);
