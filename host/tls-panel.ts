/**
 * The admin panel's HTTPS section: which certificate is served (issuer,
 * names, expiry; the fingerprint of a self-signed one) and, with ACME, the
 * problem of the last attempt to get or renew one.
 */
import { esc } from './html.js';
import type { TlsService } from './tls.js';

const SOURCE_TEXT = {
  acme: 'from the certificate authority (server.acme)',
  files: 'from the PEM files server.ssl.cert and server.ssl.key',
  'self-signed': 'self-signed, made by this server (server.ssl=true without PEM files)',
} as const;

const when = (iso: string): string => iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

export function tlsSection(tls: TlsService): string {
  const { facts, problem } = tls.details();
  const problemHtml = problem
    ? `<div class="error" role="alert" data-tls-problem>${esc(problem.message)}</div>
<p class="muted">Failing since ${esc(when(problem.since.toISOString()))}; next attempt ${esc(when(problem.nextAttempt.toISOString()))}.</p>`
    : '';
  if (!facts || tls.source === 'none')
    return `<h2>HTTPS</h2>${problemHtml}
<p>Not served: passwords and files travel in clear. Set <code>server.ssl=true</code> (a self-signed certificate at once) or <code>server.acme=true</code> with <code>server.acme.domains</code> (a certificate from Let's Encrypt); see the README's section "HTTPS".</p>`;
  const rows: Array<[string, string]> = [
    ['Certificate', SOURCE_TEXT[tls.source]],
    ['Issuer', facts.issuer],
    ['Names', facts.domains.join(', ')],
    ['Valid until', when(facts.validTo)],
    ['Serial', facts.serial],
  ];
  if (facts.selfSigned) rows.push(['SHA-256 fingerprint', facts.fingerprint256]);
  return `<h2>HTTPS</h2>${problemHtml}
<table data-tls><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
}
