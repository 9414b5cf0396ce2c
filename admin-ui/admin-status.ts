/**
 * The "Plugin" section: whether the plugin runs, how many shares it serves,
 * and the switches that apply to every share.
 */
import { html, nothing } from 'lit';
import type { StatusAnswer } from './admin-answers.js';

export function renderStatus(s: StatusAnswer | null) {
  return html`<section aria-labelledby="state-title">
    <h2 id="state-title">Plugin</h2>
    ${
      s
        ? html`<dl class="state">
            <dt>State</dt>
            <dd>
              <strong class="ok">Enabled</strong> — ${s.plugin.name} ${s.plugin.version} on ${s.host.name}
              ${s.host.version}. It is switched on and off in the <a href=${s.pluginListUrl}>host's plugin list</a>.
            </dd>
            <dt>Shares</dt>
            <dd>
              ${s.shares.served} of ${s.shares.configured}
              served${
                s.problems
                  ? html`,
                      <span class="error">${s.problems} settings ${s.problems === 1 ? 'problem' : 'problems'}</span>`
                  : nothing
              }
            </dd>
            <dt>Uploads</dt>
            <dd>${s.switches.uploadAllowed ? 'allowed' : 'refused everywhere (webdav.uploadallowed=false)'}</dd>
            <dt>Deleting</dt>
            <dd>${s.switches.deleteAllowed ? 'allowed' : 'refused everywhere (webdav.deleteallowed=false)'}</dd>
            <dt>Audit log</dt>
            <dd>${s.switches.auditEnabled ? 'on' : 'off (user.log.webdav=false)'}</dd>
            <dt>Public URL</dt>
            <dd>
              ${s.baseUrl ?? html`<span class="muted">the address the browser uses (webdav.baseurl is not set)</span>`}
            </dd>
          </dl>`
        : html`<p class="muted">Loading…</p>`
    }
  </section>`;
}
