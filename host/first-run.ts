/**
 * The first start on a data folder sets up a working server: a photo root
 * with sample photos shared as "main", and an admin in WebDAV.main whose
 * password is shown once. It runs once per data folder or shared database (a row in host_meta),
 * even when the CLI created the database and some users before that start;
 * it never overwrites what is already there.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { getMeta } from './db.js';
import { DbGroups } from './groups.js';
import type { HostLogger } from './log.js';
import { packageRoot } from './paths.js';
import {
  formatProperty,
  parseProperties,
  readPropertiesText,
  writeFileAtomic,
  writePropertiesFile,
} from './properties.js';
import { DbUsers } from './users.js';
import { webdavGroup } from './webdav-shares.js';

export const ADMIN_USER = 'admin';
export const DEFAULT_MOUNT = 'main';

function settingsTemplate(photos: string): string {
  return `# mediahost settings (Java .properties syntax). The server notices changes while it runs.
#
# A photo root the host indexes; webdavmount shares it over WebDAV as /webdav/<mount>/
# (members of the group WebDAV.<mount> may use it).
${formatProperty('robot.root.0.path', photos)}
${formatProperty('robot.root.0.webdavmount', DEFAULT_MOUNT)}

# More keys (remove the # to use one):
# robot.root.0.webdavdatemount=main-by-date
# robot.root.0.webdavinbox=Inbox
# robot.root.1.path=/srv/photos-2020
# robot.root.1.webdavmount=photos2020
# robot.root.1.webdavreadonly=true
# webdav.0.path=/srv/scans
# webdav.0.webdavmount=scans
# webdav.0.readonly=true
# webdav.uploadallowed=true
# webdav.deleteallowed=true
# user.log.webdav=true
# webdav.baseurl=https://photos.example.org
# server.port=8080
# server.ssl=true
# server.ssl.cert=/etc/mediahost/cert.pem
# server.ssl.key=/etc/mediahost/key.pem
# server.acme=true
# server.acme.domains=photos.example.org
# server.acme.email=you@example.org
# server.acme.httpport=80
# server.hsts=true
# server.trustproxy=true
# host.plugins=/opt/mediahost/plugins/webdav-shares
`;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function samplePhotos(photos: string): Promise<number> {
  const from = path.join(packageRoot(), 'host', 'sample-photos');
  await mkdir(photos, { recursive: true });
  const files = (await readdir(from)).filter((f) => /\.jpe?g$/i.test(f));
  for (const f of files) await copyFile(path.join(from, f), path.join(photos, f));
  return files.length;
}

/** Adds the default share to the settings; an existing file (e.g. written by a test or an admin) keeps its keys. */
async function defaultSettings(settingsFile: string, photos: string): Promise<void> {
  const text = await readPropertiesText(settingsFile);
  if (text === null) return writeFileAtomic(settingsFile, settingsTemplate(photos));
  const values = parseProperties(text);
  if (values.has('robot.root.0.path')) return;
  values.set('robot.root.0.path', photos);
  if (!values.has('robot.root.0.webdavmount')) values.set('robot.root.0.webdavmount', DEFAULT_MOUNT);
  await writePropertiesFile(settingsFile, values);
}

/**
 * Runs the first-run setup when this data folder never had it; returns the
 * new admin password, if an admin was created. The setup claims the
 * `initialized` row first, in the same transaction as the rest: two
 * instances starting together on one PostgreSQL database wait for each
 * other on that row, and only the one that inserted it sets up.
 */
export async function firstRun(options: {
  dataDir: string;
  settingsFile: string;
  db: Knex;
  log: HostLogger;
}): Promise<{ adminPassword?: string } | null> {
  const { dataDir, settingsFile, db, log } = options;
  if (await getMeta(db, 'initialized')) return null;
  return db.transaction(async (trx) => {
    const claimed = await trx('host_meta')
      .insert({ key: 'initialized', value: new Date().toISOString() })
      .onConflict('key')
      .ignore()
      .returning('key');
    if (claimed.length === 0) return null; // another instance did it meanwhile
    const photos = path.join(dataDir, 'photos');
    if (!(await exists(photos))) {
      const n = await samplePhotos(photos);
      log.info({ folder: photos, files: n }, 'first run: created the sample photo folder');
    }
    await defaultSettings(settingsFile, photos);
    const users = new DbUsers(trx);
    const groups = new DbGroups(trx);
    const group = webdavGroup(DEFAULT_MOUNT);
    await groups.ensure(group, `May use the WebDAV share ${DEFAULT_MOUNT}`);
    let adminPassword: string | undefined;
    if (!(await users.find(ADMIN_USER))) {
      adminPassword = randomBytes(18).toString('base64url');
      await users.add(ADMIN_USER, adminPassword, { admin: true });
      await groups.addMember(group, ADMIN_USER);
      log.info({ user: ADMIN_USER, group }, 'first run: created the administrator');
    }
    return { adminPassword };
  });
}

/** The one place the generated password appears: the terminal of the first start. */
export function passwordBanner(password: string): string {
  const line = '='.repeat(72);
  return `${line}
  mediahost: first start. An administrator account was created:

      user:      ${ADMIN_USER}
      password:  ${password}

  This password is shown only this once and is not stored anywhere.
  Change it with:  mediahost user passwd ${ADMIN_USER} --password NEW
${line}
`;
}
