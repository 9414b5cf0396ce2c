/**
 * Node's own floor for a big PROPFIND Depth 1, without HTTP, credentials or
 * anything of ours: read a folder's names, lstat every entry (BigInt, as
 * ETags need nanosecond ctime) and write a minimal multistatus response per
 * entry, once with asynchronous lstats in batches of 128 (as the store
 * does) and once with lstatSync. Our listing can come no closer to the
 * C servers than this.
 *
 *   node bench/bare-listing.mjs bench/.data/share/photos-100k [rounds]
 */
import { lstat, lstatSync } from 'node:fs';
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';

const folder = process.argv[2];
const rounds = Number(process.argv[3] ?? 3);
if (!folder) {
  console.error('usage: node bench/bare-listing.mjs FOLDER [rounds]');
  process.exit(2);
}

const lstatAsync = (file) =>
  new Promise((resolve, reject) =>
    lstat(file, { bigint: true }, (error, stats) => (error ? reject(error) : resolve(stats))),
  );

async function listOnce(sync) {
  const started = performance.now();
  const dir = await opendir(folder, { bufferSize: 128 });
  const parts = [];
  let names = [];
  let count = 0;
  const describe = async () => {
    const files = names.map((name) => join(folder, name));
    const stats = sync
      ? files.map((file) => lstatSync(file, { bigint: true }))
      : await Promise.all(files.map(lstatAsync));
    stats.forEach((s, i) =>
      parts.push(
        `<D:response><D:href>/d/${encodeURIComponent(names[i])}</D:href><D:propstat><D:prop>` +
          `<D:getcontentlength>${s.size}</D:getcontentlength><D:getlastmodified>${s.mtime.toUTCString()}</D:getlastmodified>` +
          `<D:getetag>"${s.ino.toString(16)}-${s.ctimeNs.toString(16)}"</D:getetag>` +
          `</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`,
      ),
    );
    count += names.length;
    names = [];
  };
  for await (const entry of dir) {
    names.push(entry.name);
    if (names.length === 128) await describe();
  }
  await describe();
  const bytes = parts.join('').length;
  return { seconds: (performance.now() - started) / 1000, count, bytes };
}

for (const sync of [false, true]) {
  for (let round = 1; round <= rounds; round++) {
    const { seconds, count, bytes } = await listOnce(sync);
    console.log(
      `${sync ? 'lstatSync' : 'lstat, batches of 128'}: ${count.toLocaleString('en')} entries, ` +
        `${(bytes / 1e6).toFixed(1)} MB of XML, ${seconds.toFixed(3)} s`,
    );
  }
}
