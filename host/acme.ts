/**
 * `server.acme=true`: a certificate from an ACME certificate authority
 * (RFC 8555; Let's Encrypt unless `server.acme.directory` names another),
 * proven with the HTTP-01 challenge (RFC 8555 §8.3), kept in `<data>/tls/`
 * and renewed while the server runs. acme-client speaks the protocol; this
 * module decides when to ask, keeps what it gets, and says in plain words
 * what went wrong.
 *
 * Failures lose nothing: the certificate there is keeps being served, one
 * log line says why, the admin panel shows it, and the next attempt comes
 * after 1 minute, then 2, 4, … at most 24 hours (retryDelay).
 */
import { rootCertificates } from 'node:tls';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import acme from 'acme-client';
import type { Logger } from '../plugin/host-api.js';
import { covers, describeCertificate, renewalTime, type CertificateFacts } from './certificate-info.js';
import { readIfPresent, tlsFolder, writePrivateFile } from './private-files.js';
import type { KeyPair } from './self-signed.js';

export const ACME_ACCOUNT_KEY = 'acme-account.key';
export const ACME_CERT = 'acme.crt';
export const ACME_KEY = 'acme.key';

/** Let's Encrypt's production directory, as acme-client names it. */
export const DEFAULT_DIRECTORY = acme.directory.letsencrypt.production;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** The wait before attempt n+1 after n failures in a row: 1 min, doubling, at most 24 h. */
export function retryDelay(failures: number): number {
  return Math.min(MINUTE_MS * 2 ** Math.max(0, failures - 1), DAY_MS);
}

export interface AcmeOptions {
  readonly dataDir: string;
  readonly domains: readonly string[];
  readonly email?: string;
  readonly directory: string;
  /** Extra PEM certificates to trust for the directory's own HTTPS (server.acme.cacert: a test CA). */
  readonly caCert?: Buffer;
  readonly log: Logger;
  /** Told each new certificate, to serve it from now on. */
  readonly onCertificate: (pair: KeyPair) => void;
}

export interface AcmeProblem {
  /** One sentence for a person: what failed, why, what to check. */
  readonly message: string;
  readonly since: Date;
  readonly nextAttempt: Date;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH']);
const TLS_TRUST_CODES =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|CERT_HAS_EXPIRED|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/**
 * Why getting a certificate failed, for a person. acme-client hands over
 * the CA's problem detail (RFC 8555 §6.7) as the message; its type is lost,
 * so the usual wordings of Let's Encrypt (Boulder) and its test server are
 * recognised.
 */
export function explainFailure(
  err: unknown,
  where: { domains: readonly string[]; directory: string; httpPort: number; duringChallenge: boolean },
): string {
  const e = err as Error & { code?: string; response?: { status?: number } };
  const detail = (e.message || String(err)).trim();
  const names = where.domains.join(', ');
  if (
    e.response?.status === 429 ||
    /rate.?limit|too many (certificates|new orders|failed authorizations|requests)/i.test(detail)
  )
    return `the certificate authority's rate limit was reached for ${names} (${detail}); waiting before asking again`;
  if (
    /DNS problem|NXDOMAIN|SERVFAIL|no valid (A|AAAA) records|Cannot issue for|rejectedIdentifier|forbidden by policy|invalid domain|not a valid domain/i.test(
      detail,
    )
  )
    return `the domain ${names} is wrong or its DNS does not point to this server (${detail}); check server.acme.domains`;
  if (e.code && TLS_TRUST_CODES.test(e.code))
    return `the certificate authority at ${where.directory} has an HTTPS certificate this server does not trust (${e.code}); for a test CA, name its certificate in server.acme.cacert`;
  if (e.code && NETWORK_CODES.has(e.code) && !where.duringChallenge)
    return `the certificate authority at ${where.directory} cannot be reached (${e.code}); check server.acme.directory and this server's internet connection`;
  if (where.duringChallenge)
    return `the certificate authority could not fetch the challenge from http://${where.domains[0]}:${where.httpPort}/.well-known/acme-challenge/ (${detail}); port ${where.httpPort} must be reachable from the internet (port forwarding, firewall) under ${names}`;
  return `the certificate authority at ${where.directory} refused: ${detail}`;
}

export class AcmeCertificates {
  /** Token → key authorization, answered on the challenge port (acme-listener.ts). */
  readonly challenges = new Map<string, string>();
  private facts: CertificateFacts | null = null;
  private failures = 0;
  private currentProblem: AcmeProblem | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private files!: { account: string; cert: string; key: string };

  constructor(
    private readonly options: AcmeOptions,
    private readonly httpPort: number,
  ) {}

  problem(): AcmeProblem | null {
    return this.currentProblem;
  }

  /**
   * The kept certificate when it covers the domains; otherwise one obtained
   * now (the first attempt is awaited, so the server starts with HTTPS when it
   * can), or the old one, or null. Renewal and retries run from here on.
   */
  async start(): Promise<KeyPair | null> {
    const dir = await tlsFolder(this.options.dataDir);
    this.files = {
      account: path.join(dir, ACME_ACCOUNT_KEY),
      cert: path.join(dir, ACME_CERT),
      key: path.join(dir, ACME_KEY),
    };
    const [cert, key] = await Promise.all([readIfPresent(this.files.cert), readIfPresent(this.files.key)]);
    let kept: KeyPair | null = null;
    if (cert && key) {
      try {
        this.facts = describeCertificate(cert);
        kept = { cert, key };
      } catch (err) {
        this.options.log.warn(
          { file: this.files.cert, error: (err as Error).message },
          'cannot read the kept certificate',
        );
      }
    }
    if (kept && this.facts && covers(this.facts, this.options.domains)) {
      this.schedule(renewalTime(this.facts.notBefore, this.facts.notAfter));
      return kept;
    }
    const fresh = await this.attempt();
    return fresh ?? kept;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Node's timers cannot wait longer than 24.8 days, and a suspended machine loses time: look again at least daily. */
  private schedule(at: Date): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(at.getTime() - Date.now(), DAY_MS));
    this.timer = setTimeout(() => {
      this.timer = null;
      if (Date.now() >= at.getTime()) void this.attempt();
      else this.schedule(at);
    }, wait);
    this.timer.unref();
  }

  /** One try at a certificate: the new pair, or null with the problem recorded, logged once and retried later. */
  private async attempt(): Promise<KeyPair | null> {
    const { log, domains, directory } = this.options;
    const step = { duringChallenge: false };
    try {
      const pair = await this.obtain(step);
      if (this.stopped) return null;
      await writePrivateFile(this.files.key, pair.key);
      await writePrivateFile(this.files.cert, pair.cert);
      this.facts = describeCertificate(pair.cert);
      this.failures = 0;
      this.currentProblem = null;
      const renewAt = renewalTime(this.facts.notBefore, this.facts.notAfter);
      log.info(
        {
          domains: this.facts.domains,
          issuer: this.facts.issuer,
          serial: this.facts.serial,
          validTo: this.facts.validTo,
          renewAt: renewAt.toISOString(),
        },
        `got a certificate for ${domains.join(', ')}`,
      );
      this.options.onCertificate(pair);
      this.schedule(renewAt);
      return pair;
    } catch (err) {
      if (this.stopped) return null;
      this.failures += 1;
      const delay = retryDelay(this.failures);
      const since = this.currentProblem?.since ?? new Date();
      const nextAttempt = new Date(Date.now() + delay);
      const why = explainFailure(await withNetworkCause(err, directory), {
        domains,
        directory,
        httpPort: this.httpPort,
        ...step,
      });
      const retry = delay >= 3600_000 ? `${Math.round(delay / 3600_000)} h` : `${Math.round(delay / MINUTE_MS)} min`;
      const message = `Could not get a certificate: ${why}. ${this.facts ? 'The current certificate is still served' : 'HTTPS waits for it; the server answers over plain HTTP'}; next attempt in ${retry}.`;
      this.currentProblem = { message, since, nextAttempt };
      log.error({ domains, directory, failures: this.failures, nextAttempt: nextAttempt.toISOString() }, message);
      // A certificate due now would be asked for again at once: the retry waits its turn instead.
      this.schedule(nextAttempt);
      return null;
    }
  }

  private async obtain(step: { duringChallenge: boolean }): Promise<KeyPair> {
    const { domains, email, directory, caCert } = this.options;
    configureHttp(caCert);
    let accountKey = await readIfPresent(this.files.account);
    if (!accountKey) {
      accountKey = await acme.crypto.createPrivateKey();
      await writePrivateFile(this.files.account, accountKey);
    }
    // The CA's state is polled every 1 to 10 s: a test CA answers within a second, Let's Encrypt within a few.
    const client = new acme.Client({
      directoryUrl: directory,
      accountKey,
      backoffAttempts: 12,
      backoffMin: 1000,
      backoffMax: 10_000,
    });
    const [key, csr] = await acme.crypto.createCsr({ commonName: domains[0]!, altNames: [...domains] });
    const cert = await client.auto({
      csr,
      ...(email ? { email } : {}),
      // server.acme=true is the admin's agreement to the CA's terms (README, "HTTPS").
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      // acme-client would first fetch the challenge itself; from inside a home network that often fails
      // (no NAT hairpinning) although the CA, outside, reaches it. The CA's own check is the one that counts.
      skipChallengeVerification: true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        step.duringChallenge = true;
        this.challenges.set(challenge.token, keyAuthorization);
      },
      challengeRemoveFn: async (_authz, challenge) => {
        this.challenges.delete(challenge.token);
      },
    });
    step.duringChallenge = false;
    return { cert: Buffer.from(cert), key };
  }
}

/**
 * acme-client (5.4) loses a network error: its axios interceptor then fails
 * on the missing response with a TypeError. To say what happened, ask the
 * directory once ourselves and take that error instead.
 */
async function withNetworkCause(err: unknown, directory: string): Promise<unknown> {
  if (!(err instanceof TypeError) || !/reading 'config'/.test(err.message)) return err;
  const defaults = acme.axios.defaults;
  const cause = await new Promise<Error | null>((resolve) => {
    const client = directory.startsWith('https:') ? https : http;
    const req = client.get(
      directory,
      { agent: directory.startsWith('https:') ? defaults.httpsAgent : undefined, timeout: 10_000 },
      (res) => {
        res.resume();
        resolve(null);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer within 10 s'), { code: 'ETIMEDOUT' })));
    req.on('error', resolve);
  });
  return cause ?? new Error('the connection broke off during the exchange');
}

/**
 * acme-client's HTTP client is one per process: trust the extra CA there,
 * and let failures come straight to us rather than be retried for a minute
 * inside it (our own retries wait far longer, and say so).
 */
function configureHttp(caCert: Buffer | undefined): void {
  const defaults = acme.axios.defaults as typeof acme.axios.defaults & {
    acmeSettings: { retryMaxAttempts: number };
  };
  defaults.acmeSettings.retryMaxAttempts = 0;
  defaults.httpsAgent = caCert ? new https.Agent({ ca: [...rootCertificates, caCert.toString()] }) : undefined;
}
