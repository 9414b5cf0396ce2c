/**
 * <webdav-tls-note>: in the About control, what the user should know about
 * the connection: that it is not encrypted (and which settings fix that), or,
 * for a self-signed certificate, its SHA-256 fingerprint, to compare with
 * what the client shows before trusting it.
 */
import { LitElement, css, html, nothing } from 'lit';
import { baseStyles } from './styles.js';

/** The host's certificate as GET /about reports it (plugin/host-api.ts TlsInfo). */
export interface AboutTls {
  selfSigned: boolean;
  fingerprint256: string;
  issuer: string;
  subject: string;
  domains: string[];
  validFrom: string;
  validTo: string;
}

export class WebdavTlsNote extends LitElement {
  static override properties = {
    tls: { attribute: false },
    insecure: { type: Boolean },
  };

  static override styles = [
    baseStyles,
    css`
      .fingerprint {
        display: block;
        overflow-wrap: anywhere;
        margin: 0.25rem 0 0;
        user-select: all;
      }
    `,
  ];

  declare tls: AboutTls | null;
  declare insecure: boolean;

  constructor() {
    super();
    this.tls = null;
    this.insecure = false;
  }

  override render() {
    if (this.insecure)
      return html`<p class="warning" role="note">
        <strong>Not encrypted:</strong> this server is not reached over HTTPS, so your password and your files travel in
        clear over the network. Use it only at home; Windows connects over plain HTTP only after a registry change (see
        Windows below). The server's administrator turns HTTPS on with the setting <code>server.ssl=true</code> (at
        once, self-signed) or <code>server.acme=true</code> and <code>server.acme.domains</code> (a certificate from
        Let's Encrypt): see the section "HTTPS" of the README.
      </p>`;
    if (!this.tls?.selfSigned) return nothing;
    return html`<p class="note" role="note">
      This server's certificate is self-signed: your computer or phone warns about it until you trust it. Trust it only
      if the SHA-256 fingerprint it shows is this one:
      <code class="fingerprint" data-fingerprint>${this.tls.fingerprint256}</code>
    </p>`;
  }
}

if (!customElements.get('webdav-tls-note')) customElements.define('webdav-tls-note', WebdavTlsNote);
