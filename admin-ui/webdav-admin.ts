/**
 * <webdav-admin>: the plugin's page in the host's admin panel. The plugin's
 * state, every share with its problems, adding and editing shares, who is in
 * each share's group, and the WebDAV audit log. Everything goes through the
 * plugin's JSON API, which checks on the server that the caller is an admin.
 *
 * The element keeps the state and talks to the API; each section is drawn by
 * its own module (admin-status, admin-shares with admin-members and
 * admin-photos, admin-share-form, admin-audit) into this one shadow root.
 * While a share's capture-date index is being scanned, the shares are asked
 * for again every POLL_MS, so that the scan's progress shows.
 *
 * Every change is confirmed by a toast that stays in view for a few seconds
 * (admin-feedback) and by the screen readers' status line; a failure is shown
 * where the admin acted (the share's row, the member list, the form, the
 * audit log), except the two that stop the whole page, a logged-out session
 * and a plugin switched off, which get a banner with a way out. The page
 * loads everything again when it is shown again after being hidden.
 */
import { LitElement, html, nothing } from 'lit';
import type { AuditAnswer, ShareRow, SharesAnswer, StatusAnswer, UnsharedRoot } from './admin-answers.js';
import { auditPath, AUDIT_PAGE, renderAuditLog, type AuditActions } from './admin-audit.js';
import {
  feedbackStyles,
  renderPageBlock,
  renderToast,
  Toast,
  type HostLinks,
  type PageBlock,
} from './admin-feedback.js';
import type { MemberList, MembersEditor } from './admin-members.js';
import { anyScanning } from './admin-photos.js';
import {
  emptyForm,
  errorSummary,
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
import { copyText } from './copy.js';
import { baseStyles } from './styles.js';

/** How often the shares are asked for while a scan is under way. */
const POLL_MS = 2000;

export class WebdavAdmin extends LitElement {
  static override properties = {
    status: { state: true },
    shares: { state: true },
    users: { state: true },
    audit: { state: true },
    auditQuery: { state: true },
    auditOffset: { state: true },
    form: { state: true },
    message: { state: true },
    memberChoice: { state: true },
    memberErrors: { state: true },
    rowErrors: { state: true },
    scanRequested: { state: true },
    loadErrors: { state: true },
    block: { state: true },
    busy: { state: true },
  };

  static override styles = [baseStyles, adminStyles, feedbackStyles];

  declare status: StatusAnswer | null;
  declare shares: SharesAnswer | null;
  declare users: string[];
  declare audit: AuditAnswer | null;
  declare auditQuery: string;
  declare auditOffset: number;
  declare form: FormState;
  /** The screen readers' status line: the last confirmation or failure. */
  declare message: string;
  /** Per share id, the user picked in its "add member" list. */
  declare memberChoice: Record<string, string>;
  /** Per share id, why the last change of its members failed. */
  declare memberErrors: Record<string, string>;
  /** Per share id, why the last change of the share itself (a delete, a scan, a copy) failed. */
  declare rowErrors: Record<string, string>;
  /** Per share id, a "Scan now" whose answer has not come yet. */
  declare scanRequested: Record<string, boolean>;
  /** Per section, why it could not be loaded. */
  declare loadErrors: Partial<Record<Section, string>>;
  /** Set while nothing on the page can work: logged out, or the plugin switched off. */
  declare block: PageBlock | null;
  declare busy: boolean;
  private readonly toast = new Toast(() => this.requestUpdate());
  private pollTimer: number | undefined;

  constructor() {
    super();
    this.status = null;
    this.shares = null;
    this.users = [];
    this.audit = null;
    this.auditQuery = '';
    this.auditOffset = 0;
    this.form = emptyForm();
    this.message = '';
    this.memberChoice = {};
    this.memberErrors = {};
    this.rowErrors = {};
    this.scanRequested = {};
    this.loadErrors = {};
    this.block = null;
    this.busy = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisibility);
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.toast.stop();
    window.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** Back to a tab left open: folders, members or the plugin itself may have changed meanwhile. */
  private readonly onVisibility = () => {
    if (document.visibilityState === 'visible') void this.refresh();
  };

  /** Where the host's login and plugin list are (from the last status; the reference host's until then). */
  private get hostLinks(): HostLinks {
    return {
      loginUrl: this.status?.loginUrl ?? '/login',
      pluginListUrl: this.status?.pluginListUrl ?? '/admin',
    };
  }

  /** Loads every section again; each shows its own error. */
  async refresh(): Promise<void> {
    await Promise.all([this.reloadShares(), this.loadUsers(), this.loadAudit()]);
  }

  private async reloadShares(): Promise<void> {
    await Promise.all([
      this.load(
        'status',
        () => call<StatusAnswer>(this, 'GET', '/admin/status'),
        (s) => (this.status = s),
      ),
      this.load(
        'shares',
        () => call<SharesAnswer>(this, 'GET', '/admin/shares'),
        (s) => (this.shares = s),
      ),
    ]);
    this.pollWhileScanning();
  }

  /** Asks for the shares again in POLL_MS while a scan is under way or asked for; one timer at a time. */
  private pollWhileScanning(): void {
    const waiting = Object.values(this.scanRequested).some(Boolean);
    if (this.pollTimer !== undefined || !this.isConnected || this.block) return;
    if (!waiting && !anyScanning(this.shares?.shares ?? [])) return;
    this.pollTimer = window.setTimeout(() => {
      this.pollTimer = undefined;
      void this.load(
        'shares',
        () => call<SharesAnswer>(this, 'GET', '/admin/shares'),
        (s) => (this.shares = s),
      ).then(() => this.pollWhileScanning());
    }, POLL_MS);
  }

  private loadUsers(): Promise<void> {
    return this.load(
      'users',
      () => call<{ users: string[] }>(this, 'GET', '/admin/users'),
      (u) => (this.users = u.users),
    );
  }

  async loadAudit(): Promise<void> {
    await this.load(
      'audit',
      () => call<AuditAnswer>(this, 'GET', auditPath(this.auditQuery, this.auditOffset)),
      (a) => (this.audit = a),
    );
  }

  /** One GET for one section: its answer, or its error in that section. An answer also lifts a page block. */
  private async load<T>(section: Section, get: () => Promise<T>, use: (answer: T) => void): Promise<void> {
    try {
      use(await get());
      this.block = null;
      this.loadErrors = { ...this.loadErrors, [section]: '' };
    } catch (error) {
      if (this.blocksPage(error)) return;
      const fields = error instanceof ApiFailure ? error.fields : {};
      const text = fields['q'] ? `The search ${fields['q']}.` : (error as Error).message;
      this.loadErrors = { ...this.loadErrors, [section]: text };
    }
  }

  /** A logged-out session or a plugin switched off stops the whole page: the banner says so. */
  private blocksPage(error: unknown): boolean {
    if (!(error instanceof ApiFailure) || (error.reason !== 'logged-out' && error.reason !== 'plugin-off'))
      return false;
    this.block = error.reason;
    return true;
  }

  /** A change went through: the toast and the status line say so. */
  private confirmDone(text: string): void {
    this.message = text;
    this.toast.show(text);
  }

  override render() {
    const links = this.hostLinks;
    return html`
      ${renderPageBlock(this.block, links)}
      <p class="sr-only" role="status" aria-live="polite">${this.message}</p>
      ${renderStatus(this.status, this.block, this.loadErrors.status ?? '')}
      ${
        // Switched off, nothing below is served or can be changed: showing it would pretend otherwise.
        this.block === 'plugin-off'
          ? nothing
          : html`${renderShares(this.shares, this.shareActions(), this.membersEditor())}
              ${renderShareForm(this.form, this.formActions)} <webdav-traffic></webdav-traffic
              ><webdav-locks></webdav-locks> ${renderAuditLog(this.audit, this.auditActions())}`
      }
      ${renderToast(this.toast)}
    `;
  }

  private shareActions(): ShareActions {
    return {
      busy: this.busy,
      errors: this.rowErrors,
      loadError: [this.loadErrors.shares, this.loadErrors.users].filter(Boolean).join(' '),
      edit: (share) => this.edit(share),
      editRoot: (root) => this.editRoot(root),
      remove: (share) => void this.removeShare(share),
      scanRequested: this.scanRequested,
      scan: (share) => void this.scan(share),
      copyViewUrl: (share, button) => void this.copyViewUrl(share, button),
    };
  }

  private membersEditor(): MembersEditor {
    return {
      users: this.users,
      choice: this.memberChoice,
      errors: this.memberErrors,
      busy: this.busy,
      choose: (list, user) => {
        this.memberChoice = { ...this.memberChoice, [list.key]: user };
      },
      add: (event, list) => void this.addMember(event, list),
      remove: (list, user) => void this.removeMember(list, user),
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
      error: this.loadErrors.audit ?? '',
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
      this.confirmDone(f.editing ? `Share ${mount} saved.` : `Share ${mount} added. Add its users in the table.`);
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
        return this.showFormErrors(shownErrors({ ...error.fields }));
      }
      this.form = { ...this.form, busy: false };
      if (this.blocksPage(error)) return;
      return this.showFormErrors({ body: (error as Error).message });
    }
  }

  /** `shown`: the messages as the form shows them (each names its field). */
  private async showFormErrors(shown: Record<string, string>): Promise<void> {
    this.form = { ...this.form, errors: shown, busy: false };
    this.message = errorSummary(shown);
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
    const done = share.kind === 'photo-root' ? `${name} is no longer shared over WebDAV.` : `Share ${name} deleted.`;
    await this.mutate({ row: share.id }, async () => {
      try {
        await call(this, 'DELETE', `/admin/shares/${encodeURIComponent(share.id)}`);
        this.confirmDone(done);
      } catch (error) {
        // Someone else removed it first: what the admin asked for is done.
        if (!(error instanceof ApiFailure && error.status === 404 && error.reason === 'refused')) throw error;
        this.confirmDone(`Share ${name} was already removed.`);
      }
      if (this.form.editing?.id === share.id) this.form = emptyForm();
    });
  }

  /** admin/shares/:id/members/:user, or …/view/members/:user for the group of the share's date view. */
  private memberPath(list: MemberList, user: string): string {
    const view = list.view ? '/view' : '';
    return `/admin/shares/${encodeURIComponent(list.share.id)}${view}/members/${encodeURIComponent(user)}`;
  }

  private async addMember(event: Event, list: MemberList): Promise<void> {
    event.preventDefault();
    const user = this.memberChoice[list.key];
    if (!user) return;
    await this.mutate({ members: list.key }, async () => {
      await call(this, 'POST', this.memberPath(list, user));
      this.memberChoice = { ...this.memberChoice, [list.key]: '' };
      this.confirmDone(`${user} added to ${list.name}.`);
    });
  }

  private async removeMember(list: MemberList, user: string): Promise<void> {
    await this.mutate({ members: list.key }, async () => {
      await call(this, 'DELETE', this.memberPath(list, user));
      this.confirmDone(`${user} removed from ${list.name}.`);
    });
    // The button that had the focus is gone: keep the keyboard user in the same place.
    await this.updateComplete;
    const row = `tr[data-share="${CSS.escape(list.share.id)}"]`;
    this.renderRoot.querySelector<HTMLElement>(`${row} ${list.view ? '.view-members ' : ''}select`)?.focus();
  }

  /**
   * "Scan now": the answer comes when the scan is done, which may take long
   * on a large share; meanwhile the listing is polled so that its progress
   * shows, and the rest of the page stays usable.
   */
  private async scan(share: ShareRow): Promise<void> {
    const name = share.mount ?? share.source;
    this.scanRequested = { ...this.scanRequested, [share.id]: true };
    this.setRowError(share.id, '');
    this.pollWhileScanning();
    try {
      const answer = await call<{ share: ShareRow }>(
        this,
        'POST',
        `/admin/shares/${encodeURIComponent(share.id)}/scan`,
      );
      const files = answer.share.index?.files ?? 0;
      this.confirmDone(
        `Scan of ${name} done: ${files} ${files === 1 ? 'photo or video' : 'photos and videos'} indexed.`,
      );
    } catch (error) {
      if (!this.blocksPage(error)) {
        this.setRowError(share.id, (error as Error).message);
        this.message = (error as Error).message;
      }
    } finally {
      const requested = { ...this.scanRequested };
      delete requested[share.id];
      this.scanRequested = requested;
    }
    if (!this.block) await this.reloadShares();
  }

  private async copyViewUrl(share: ShareRow, button: HTMLElement): Promise<void> {
    const view = share.dateView;
    if (!view) return;
    if (await copyText(view.url, button)) {
      this.setRowError(share.id, '');
      this.confirmDone(`Address of ${view.mount} copied.`);
    } else {
      this.setRowError(share.id, `Could not copy the address of ${view.mount}: select it and copy it by hand.`);
    }
  }

  private setRowError(id: string, text: string): void {
    const errors = { ...this.rowErrors };
    if (text) errors[id] = text;
    else delete errors[id];
    this.rowErrors = errors;
  }

  /**
   * Runs a change of one share, shows its error where the admin acted (the
   * share's row, or its member list) and reloads the table.
   */
  private async mutate(place: { row: string } | { members: string }, fn: () => Promise<void>): Promise<void> {
    const [key, id] = 'row' in place ? (['rowErrors', place.row] as const) : (['memberErrors', place.members] as const);
    const withError = (text: string) => {
      const errors = { ...this[key] };
      if (text) errors[id] = text;
      else delete errors[id];
      this[key] = errors;
    };
    this.busy = true;
    withError('');
    try {
      await fn();
    } catch (error) {
      if (!this.blocksPage(error)) {
        withError((error as Error).message);
        this.message = (error as Error).message;
      }
    } finally {
      this.busy = false;
    }
    if (!this.block) await this.reloadShares();
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

/** What the page loads, each with its own load error (the users' shows with the shares, where they are picked). */
type Section = 'status' | 'shares' | 'users' | 'audit';

if (!customElements.get('webdav-admin')) customElements.define('webdav-admin', WebdavAdmin);
