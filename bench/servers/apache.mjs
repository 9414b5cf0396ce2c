/**
 * Peer: Apache httpd with mod_dav + mod_dav_fs (Debian apache2), the classic
 * WebDAV server and the one most NAS boxes ship. Event MPM with Debian's
 * default limits, a DAV lock database, Basic auth from an htpasswd file with
 * the credential cache (mod_authn_socache), which is what our plugin does
 * too. Keep-alive without a request cap and sendfile on: the peer at its best.
 */
import { mkdirSync, chownSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { htpasswd, peerRoot, serverDir, startOnFreePort, systemUser, serverHandle } from './common.mjs';

const MODULES = '/usr/lib/apache2/modules';
const modules = [
  ['mpm_event_module', 'mod_mpm_event.so'],
  ['authz_core_module', 'mod_authz_core.so'],
  ['authz_user_module', 'mod_authz_user.so'],
  ['authn_core_module', 'mod_authn_core.so'],
  ['authn_file_module', 'mod_authn_file.so'],
  ['authn_socache_module', 'mod_authn_socache.so'],
  ['socache_shmcb_module', 'mod_socache_shmcb.so'],
  ['auth_basic_module', 'mod_auth_basic.so'],
  ['mime_module', 'mod_mime.so'],
  ['dav_module', 'mod_dav.so'],
  ['dav_fs_module', 'mod_dav_fs.so'],
];

function config({ dir, root, port, runAs }) {
  return `# Written by the benchmark; every path is in its temp folder.
ServerRoot ${dir}
${modules.map(([name, file]) => `LoadModule ${name} ${MODULES}/${file}`).join('\n')}
${runAs ? `User ${runAs.name}\nGroup ${runAs.name}` : ''}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile ${dir}/httpd.pid
DefaultRuntimeDir ${dir}/run
ErrorLog ${dir}/error.log
LogLevel warn
TypesConfig /etc/mime.types

Timeout 300
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 5
EnableSendfile On
LimitRequestBody 0

# Debian's mpm_event.conf has 25 threads per child. A child whose threads
# are all busy closes its keep-alive connections, and the client then sees
# read errors; with 64 threads per child (two from the start, never retired
# mid-run) one child can carry every connection of a workload.
StartServers 2
MinSpareThreads 64
MaxSpareThreads 192
ThreadLimit 64
ThreadsPerChild 64
MaxRequestWorkers 192
MaxConnectionsPerChild 0

DavLockDB ${dir}/lock/DavLock
AuthnCacheSOCache shmcb

DocumentRoot ${root}
<Directory />
  Options None
  AllowOverride None
  Require all denied
</Directory>
<Directory ${root}>
  Dav On
  Options FollowSymLinks
  AllowOverride None
  AuthType Basic
  AuthName bench
  AuthBasicProvider socache file
  AuthnCacheProvideFor file
  AuthUserFile ${dir}/htpasswd
  Require valid-user
</Directory>
`;
}

export const apache = {
  id: 'apache',
  label: 'Apache mod_dav',
  can: () => true,
  async start(ctx) {
    const dir = serverDir(ctx, 'apache');
    // Apache refuses to serve as root: its children run as www-data, which must reach the files.
    const runAs = process.getuid?.() === 0 ? systemUser('www-data') : null;
    const { root, uploadDir } = peerRoot(ctx, dir, runAs);
    mkdirSync(path.join(dir, 'lock'), { recursive: true });
    mkdirSync(path.join(dir, 'run'), { recursive: true });
    if (runAs) chownSync(path.join(dir, 'lock'), runAs.uid, runAs.gid);
    htpasswd(path.join(dir, 'htpasswd'), ctx.user, ctx.pass);
    const conf = path.join(dir, 'httpd.conf');
    const { child, port, logFile } = await startOnFreePort({
      id: 'apache',
      dir,
      launch: (p) => {
        writeFileSync(conf, config({ dir, root, port: p, runAs }));
        return { cmd: '/usr/sbin/apache2', args: ['-f', conf, '-DFOREGROUND'], env: { APACHE_RUN_DIR: `${dir}/run` } };
      },
    });
    return serverHandle('apache', child, port, { uploadDir, logFile });
  },
};
