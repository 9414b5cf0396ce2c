/**
 * The programs the benchmark drives. Missing ones are installed with apt-get
 * when running as root (waiting for another apt/dpkg to finish); otherwise
 * the benchmark names the packages and stops.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './proc.mjs';

/** What must exist → the Debian package that provides it. */
const NEEDED = [
  ['/usr/bin/wrk', 'wrk'],
  ['/usr/bin/curl', 'curl'],
  ['/usr/sbin/apache2', 'apache2'],
  ['/usr/lib/apache2/modules/mod_dav_fs.so', 'apache2'],
  ['/usr/bin/htpasswd', 'apache2-utils'],
  ['/usr/sbin/lighttpd', 'lighttpd'],
  ['/usr/lib/lighttpd/mod_webdav.so', 'lighttpd-mod-webdav'],
  ['/usr/bin/rclone', 'rclone'],
];

async function aptGet(args, log) {
  // DPkg::Lock::Timeout makes apt wait for a running apt/dpkg; the loop covers the lists lock too. Bounded.
  for (let attempt = 1; attempt <= 20; attempt++) {
    const r = await run('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
      env: { DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 20 * 60_000,
    });
    if (r.code === 0) return;
    const text = r.stderr + r.stdout;
    if (!/lock/i.test(text)) throw new Error(`apt-get ${args.join(' ')} failed: ${text.trim().slice(-1500)}`);
    log(`apt/dpkg is busy (another install is running); waiting (attempt ${attempt}/20)`);
    await sleep(15_000);
  }
  throw new Error('apt/dpkg stayed locked for too long');
}

export async function ensureTools(log) {
  const missing = [...new Set(NEEDED.filter(([file]) => !existsSync(file)).map(([, pkg]) => pkg))];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(`missing programs; install them with: apt-get install ${missing.join(' ')}`);
  }
  log(`installing ${missing.join(' ')} with apt-get`);
  await aptGet(['update', '-qq'], log);
  await aptGet(['install', '-y', '-qq', '--no-install-recommends', ...missing], log);
  const still = NEEDED.filter(([file]) => !existsSync(file)).map(([file]) => file);
  if (still.length) throw new Error(`still missing after apt-get: ${still.join(', ')}`);
}
