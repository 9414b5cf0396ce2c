/**
 * Which certificate the host serves, from the settings:
 *
 * - `server.acme=true`: one from an ACME CA for `server.acme.domains`, renewed while running (acme.ts);
 * - `server.ssl=true` with `server.ssl.cert` and `server.ssl.key`: the admin's PEM files;
 * - `server.ssl=true` alone: a self-signed one made once (self-signed.ts);
 * - otherwise none: plain HTTP.
 *
 * A new certificate (a renewal, or the first ACME one after a failed start)
 * goes to the listeners registered with onCredentials(), which swap it in
 * without a restart. The settings are read at start; changing them takes a
 * restart.
 */
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import type { HostSettings, HostTls, Logger, TlsInfo } from '../plugin/host-api.js';
import type { AcmeCertificates, AcmeProblem } from './acme.js';
import { createAcmeListener } from './acme-listener.js';
import { describeCertificate, renewalTime, type CertificateFacts } from './certificate-info.js';
import type { KeyPair } from './self-signed.js';

export type TlsSource = 'none' | 'files' | 'self-signed' | 'acme';

export interface TlsStartOptions {
  readonly settings: HostSettings;
  readonly dataDir: string;
  readonly log: Logger;
  /** The address the host listens on; the challenge port listens there too. */
  readonly listenHost: string;
  /** The main listener's port as configured (0: the system picks); the challenge port must differ. */
  readonly mainPort: number;
}

/** Reads a PEM file of the TLS settings, with an error that names the setting. */
function readPem(file: string | undefined, key: string): Buffer {
  if (!file)
    throw new Error(
      `server.ssl=true needs the setting ${key} (a PEM file), or neither it nor its partner for a self-signed certificate`,
    );
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`${key}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
      cause: err,
    });
  }
}

function parsePort(value: string, key: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 65535)
    throw new Error(`${key}: "${value}" is not a port number (1-65535)`);
  return Number(value);
}

export class TlsService implements HostTls {
  private pair: KeyPair | null = null;
  private facts: CertificateFacts | null = null;
  private readonly listeners = new Set<(pair: KeyPair) => void>();
  private acme: AcmeCertificates | null = null;
  private challengeListener: http.Server | null = null;
  private main: { scheme: 'http' | 'https'; port: number } = { scheme: 'http', port: 0 };
  private selfSignedTimer: NodeJS.Timeout | null = null;
  private stopWatching: () => void = () => undefined;

  private constructor(
    readonly source: TlsSource,
    private readonly log: Logger,
  ) {}

  static async start(options: TlsStartOptions): Promise<TlsService> {
    const service = await TlsService.choose(options);
    service.stopWatching = options.settings.onChange((keys) => {
      const ours = keys.filter((k) => /^server\.(ssl|acme)(\.|$)/.test(k));
      if (ours.length > 0)
        options.log.warn({ keys: ours }, `${ours.join(', ')} changed: restart the server to apply it`);
    });
    return service;
  }

  private static async choose(options: TlsStartOptions): Promise<TlsService> {
    const { settings, log } = options;
    if (settings.get('server.acme') === 'true') return TlsService.startAcme(options);
    if (settings.get('server.ssl') !== 'true') return new TlsService('none', log);
    const certFile = settings.get('server.ssl.cert');
    const keyFile = settings.get('server.ssl.key');
    if (!certFile && !keyFile) {
      const service = new TlsService('self-signed', log);
      await service.keepSelfSignedFresh(options.dataDir);
      return service;
    }
    const service = new TlsService('files', log);
    service.use({ cert: readPem(certFile, 'server.ssl.cert'), key: readPem(keyFile, 'server.ssl.key') });
    return service;
  }

  private static async startAcme(options: TlsStartOptions): Promise<TlsService> {
    const { settings, log } = options;
    const domains = (settings.get('server.acme.domains') ?? '')
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean);
    if (domains.length === 0)
      throw new Error('server.acme=true needs server.acme.domains: the name(s) clients use, e.g. photos.example.org');
    const httpPort = parsePort(settings.get('server.acme.httpport') ?? '80', 'server.acme.httpport');
    if (httpPort === options.mainPort)
      throw new Error(
        `server.acme.httpport (${httpPort}) must differ from server.port: it answers the CA's challenges over plain HTTP`,
      );
    const caCertFile = settings.get('server.acme.cacert');
    const service = new TlsService('acme', log);
    // Loaded only here: the ACME client and its X.509 library cost some 30 MB a server without ACME never needs.
    const { AcmeCertificates, DEFAULT_DIRECTORY } = await import('./acme.js');
    const acme = new AcmeCertificates(
      {
        dataDir: options.dataDir,
        domains,
        email: settings.get('server.acme.email') || undefined,
        directory: settings.get('server.acme.directory') || DEFAULT_DIRECTORY,
        caCert: caCertFile ? readPem(caCertFile, 'server.acme.cacert') : undefined,
        log,
        onCertificate: (pair) => service.use(pair),
      },
      httpPort,
    );
    service.acme = acme;
    const listener = createAcmeListener({ challenges: acme.challenges, domains, main: () => service.main });
    await new Promise<void>((resolve, reject) => {
      listener.once('error', (err: NodeJS.ErrnoException) =>
        reject(new Error(`server.acme.httpport: cannot listen on port ${httpPort} (${err.code ?? err.message})`)),
      );
      listener.listen(httpPort, options.listenHost, () => resolve());
    });
    service.challengeListener = listener;
    try {
      const pair = await acme.start();
      if (pair) service.use(pair);
    } catch (err) {
      await service.close();
      throw err;
    }
    return service;
  }

  /** Made or read now; a new one is made when this one is due (see self-signed.ts) and swapped in. */
  private async keepSelfSignedFresh(dataDir: string): Promise<void> {
    // Loaded only here, as ACME is (startAcme): the X.509 library is for a server that makes its own certificate.
    const { selfSignedCertificate } = await import('./self-signed.js');
    this.use(await selfSignedCertificate(dataDir, this.log));
    const due = renewalTime(this.facts!.notBefore, this.facts!.notAfter).getTime();
    this.selfSignedTimer = setTimeout(
      () =>
        void this.keepSelfSignedFresh(dataDir).catch((err) =>
          this.log.error({ err }, 'cannot renew the self-signed certificate'),
        ),
      // Checked at least daily: Node's timers cannot wait longer than 24.8 days.
      Math.max(1000, Math.min(due - Date.now(), 24 * 3600_000)),
    );
    this.selfSignedTimer.unref();
  }

  private use(pair: KeyPair): void {
    const changed = this.pair === null || !this.pair.cert.equals(pair.cert);
    this.pair = pair;
    this.facts = describeCertificate(pair.cert);
    if (changed) for (const listener of [...this.listeners]) listener(pair);
  }

  /** The certificate and key to serve now; null: plain HTTP. */
  credentials(): KeyPair | null {
    return this.pair;
  }

  /** Called with each certificate that replaces the one served, and with the first one when there was none. */
  onCredentials(listener: (pair: KeyPair) => void): void {
    this.listeners.add(listener);
  }

  /** Where the main listener is, for the challenge port's redirects. */
  mainListening(scheme: 'http' | 'https', port: number): void {
    this.main = { scheme, port };
  }

  current(): TlsInfo | null {
    if (!this.facts) return null;
    const { selfSigned, fingerprint256, issuer, subject, domains, validFrom, validTo } = this.facts;
    return { selfSigned, fingerprint256, issuer, subject, domains: [...domains], validFrom, validTo };
  }

  /** What the admin panel shows beyond current(): the serial, and the ACME problem if there is one. */
  details(): { facts: CertificateFacts | null; problem: AcmeProblem | null } {
    return { facts: this.facts, problem: this.acme?.problem() ?? null };
  }

  async close(): Promise<void> {
    this.stopWatching();
    this.listeners.clear();
    if (this.selfSignedTimer) clearTimeout(this.selfSignedTimer);
    this.acme?.stop();
    const listener = this.challengeListener;
    this.challengeListener = null;
    if (listener) {
      await new Promise<void>((resolve) => {
        listener.close(() => resolve());
        listener.closeAllConnections();
      });
    }
  }
}
