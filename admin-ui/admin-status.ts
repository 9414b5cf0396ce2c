/**
 * The "Plugin" section: whether the plugin runs, how many shares it serves,
 * and the switches that apply to every share. Switched off while the page
 * was open, it says so rather than show the last state it knew (the page's
 * banner says where to switch it on).
 */
import { html, nothing } from 'lit';
import type { StatusAnswer } from './admin-answers.js';
import type { PageBlock } from './admin-feedback.js';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function renderStatus(s: StatusAnswer | null, block: PageBlock | null, error: string) {
  return html`<section aria-labelledby="state-title">
    <h2 id="state-title">Plugin</h2>
    ${error ? html`<p class="error section-error" role="alert">${error}</p>` : nothing}
    ${
      block === 'plugin-off'
        ? html`<dl class="state">
            <dt>State</dt>
            <dd><strong class="error">Switched off</strong> — no share is served.</dd>
          </dl>`
        : s
          ? renderState(s)
          : error
            ? nothing
            : html`<p class="muted">Loading…</p>`
    }
  </section>`;
}

function renderState(s: StatusAnswer) {
  return html`<dl class="state">
    <dt>State</dt>
    <dd>
      <strong class="ok">Enabled</strong> — ${s.plugin.name} ${s.plugin.version} on ${s.host.name} ${s.host.version}. It
      is switched on and off in the <a href=${s.pluginListUrl}>host's plugin list</a>.
    </dd>
    <dt>Shares</dt>
    <dd>
      ${s.shares.served} of ${s.shares.configured}
      served${
        s.problems
          ? html`, <span class="error">${count(s.problems, 'settings problem', 'settings problems')}</span>`
          : nothing
      }${s.warnings ? html`, <span class="warn-text">${count(s.warnings, 'warning', 'warnings')}</span>` : nothing}
    </dd>
    <dt>Uploads</dt>
    <dd>${s.switches.uploadAllowed ? 'allowed' : 'refused everywhere (webdav.uploadallowed=false)'}</dd>
    <dt>Deleting</dt>
    <dd>${s.switches.deleteAllowed ? 'allowed' : 'refused everywhere (webdav.deleteallowed=false)'}</dd>
    <dt>Audit log</dt>
    <dd>${s.switches.auditEnabled ? 'on' : 'off (user.log.webdav=false)'}</dd>
    <dt>Public URL</dt>
    <dd>${s.baseUrl ?? html`<span class="muted">the address the browser uses (webdav.baseurl is not set)</span>`}</dd>
  </dl>`;
}
