/**
 * Peer: lighttpd with mod_webdav (Debian lighttpd, lighttpd-mod-webdav): a
 * single-threaded event loop like Node, written in C, so the closest
 * like-for-like ceiling. Locks and properties in its SQLite database, Basic
 * auth from the same htpasswd file with lighttpd's credential cache.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { htpasswd, peerRoot, serverDir, startOnFreePort, serverHandle } from './common.mjs';

const q = (s) => JSON.stringify(s);

function config({ dir, root, port }) {
  return `# Written by the benchmark; every path is in its temp folder.
server.modules = ("mod_auth", "mod_authn_file", "mod_webdav")
server.document-root = ${q(root)}
server.bind = "127.0.0.1"
server.port = ${port}
server.errorlog = ${q(path.join(dir, 'error.log'))}
server.upload-dirs = (${q(path.join(dir, 'tmp'))})
server.follow-symlink = "enable"
server.max-fds = 4096
server.max-keep-alive-requests = 0
mimetype.assign = (".jpg" => "image/jpeg", ".bin" => "application/octet-stream", "" => "application/octet-stream")

auth.backend = "htpasswd"
auth.backend.htpasswd.userfile = ${q(path.join(dir, 'htpasswd'))}
auth.cache = ("max-age" => "600")
auth.require = ("/" => ("method" => "basic", "realm" => "bench", "require" => "valid-user"))

webdav.activate = "enable"
webdav.is-readonly = "disable"
webdav.sqlite-db-name = ${q(path.join(dir, 'webdav.sqlite'))}
`;
}

export const lighttpd = {
  id: 'lighttpd',
  label: 'lighttpd mod_webdav',
  can: () => true,
  async start(ctx) {
    const dir = serverDir(ctx, 'lighttpd');
    const { root, uploadDir } = peerRoot(ctx, dir, null);
    mkdirSync(path.join(dir, 'tmp'), { recursive: true });
    htpasswd(path.join(dir, 'htpasswd'), ctx.user, ctx.pass);
    const conf = path.join(dir, 'lighttpd.conf');
    const { child, port, logFile } = await startOnFreePort({
      id: 'lighttpd',
      dir,
      launch: (p) => {
        writeFileSync(conf, config({ dir, root, port: p }));
        return { cmd: '/usr/sbin/lighttpd', args: ['-D', '-f', conf] };
      },
    });
    return serverHandle('lighttpd', child, port, { uploadDir, logFile });
  },
};
