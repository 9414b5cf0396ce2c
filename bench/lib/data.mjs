/**
 * The files every server serves, generated once into a cache folder
 * (bench/.data/ unless BENCH_DATA_DIR says otherwise) and reused. Each part
 * is written under a temporary name and renamed when complete, so an
 * interrupted run regenerates only what is missing.
 *
 *   share/small/IMG_0001.jpg …            20 thumbnails of 2 KiB (PROPFIND depth 0/1, GET small)
 *   share/browse/album-00 … album-49/     50 small folders of 20 photos, 2–24 KiB (mixed load)
 *   share/photos-10k/, photos-100k/       10,000 / 100,000 photos of 2–6 KiB (big listings)
 *   share/big-1g.bin, big-4g.bin          1 GiB (GET, PUT source) and 4 GiB (Range GETs)
 *   share/big-256m.bin                    the --quick stand-in for both
 *   upload-src/photo-00.jpg …             64 real JPEGs of 100–500 KiB, the bodies of the upload workload
 *   dated-5k/IMG_0001.jpg …               5,000 photos of 2–6 KiB taken in May 2024 (EXIF), our date view's month
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');
export const CACHE_DIR = path.resolve(process.env.BENCH_DATA_DIR || path.join(REPO_ROOT, 'bench', '.data'));
export const SHARE_DIR = path.join(CACHE_DIR, 'share');
export const UPLOAD_SRC_DIR = path.join(CACHE_DIR, 'upload-src');
export const DATED_DIR = path.join(CACHE_DIR, 'dated-5k');
/** How many photos DATED_DIR holds: the month a date view lists in the dateview-5k workload. */
export const DATED_COUNT = 5000;

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Random bytes to cut file contents from (cheap: no RNG per file). */
const POOL = randomBytes(8 * MiB);
const slice = (seed, len) => {
  const start = (seed * 7919 * 64) % (POOL.length - len);
  return POOL.subarray(start, start + len);
};

/** A JPEG-shaped file of exactly `size` bytes: SOI, JFIF APP0, COM segments of noise, EOI. */
function jpegLike(seed, size) {
  const head = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x00,
  ]);
  return padJpeg(head, Buffer.from([0xff, 0xd9]), seed, size);
}

/**
 * A JPEG-shaped file of `size` bytes whose EXIF says it was taken at
 * `taken` ('YYYY:MM:DD HH:MM:SS'): SOI, an APP1 segment with the smallest
 * EXIF that carries DateTimeOriginal (IFD0 → Exif IFD → the date), noise, EOI.
 */
function jpegTaken(seed, size, taken) {
  const tiff = Buffer.alloc(64);
  tiff.write('II*\0', 0, 'latin1'); // little-endian TIFF, first IFD at 8
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8); // IFD0: one entry, the Exif IFD pointer
  tiff.writeUInt16LE(0x8769, 10);
  tiff.writeUInt16LE(4, 12); // LONG
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(26, 18);
  tiff.writeUInt32LE(0, 22); // no next IFD
  tiff.writeUInt16LE(1, 26); // Exif IFD: DateTimeOriginal
  tiff.writeUInt16LE(0x9003, 28);
  tiff.writeUInt16LE(2, 30); // ASCII
  tiff.writeUInt32LE(20, 32);
  tiff.writeUInt32LE(44, 36);
  tiff.writeUInt32LE(0, 40);
  tiff.write(`${taken}\0`, 44, 'latin1');
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(body.length + 2, 2);
  return padJpeg(Buffer.concat([Buffer.from([0xff, 0xd8]), app1, body]), Buffer.from([0xff, 0xd9]), seed, size);
}

/** head + COM segments of noise + tail, `size` bytes in all (a COM segment holds at most 65,533 bytes). */
function padJpeg(head, tail, seed, size) {
  const parts = [head];
  let left = size - head.length - tail.length;
  let n = 0;
  while (left > 0) {
    if (left < 5) {
      parts.push(Buffer.alloc(left, 0)); // too short for a segment: trailing filler
      break;
    }
    const payload = Math.min(left - 4, 65533);
    const seg = Buffer.alloc(4 + payload);
    seg[0] = 0xff;
    seg[1] = 0xfe;
    seg.writeUInt16BE(payload + 2, 2);
    slice(seed * 31 + n++, payload).copy(seg, 4);
    parts.push(seg);
    left -= seg.length;
  }
  parts.push(tail);
  return Buffer.concat(parts, size);
}

/** A real JPEG (a sample photo of the host) padded with comment segments up to `size` bytes. */
function paddedPhoto(seed, size) {
  const samples = ['sample-1.jpg', 'sample-2.jpg', 'sample-3.jpg'];
  const photo = readFileSync(path.join(REPO_ROOT, 'host', 'sample-photos', samples[seed % samples.length]));
  // After SOI (2 bytes) the comment segments, then the rest of the photo unchanged.
  return padJpeg(photo.subarray(0, 2), photo.subarray(2), seed, Math.max(size, photo.length + 8));
}

async function inParallel(count, limit, fn) {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Builds folder `dir` with `files` (array of [relative name, () => Buffer]) unless it exists. */
async function folder(dir, files, log) {
  if (existsSync(dir)) return;
  const tmp = path.join(path.dirname(dir), `.gen-${path.basename(dir)}-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  log(`generating ${path.relative(CACHE_DIR, dir)}/ (${files.length.toLocaleString('en')} files)`);
  await mkdir(tmp, { recursive: true });
  const subdirs = new Set(files.map(([name]) => path.dirname(name)).filter((d) => d !== '.'));
  for (const d of subdirs) await mkdir(path.join(tmp, d), { recursive: true });
  await inParallel(files.length, 32, (i) => writeFile(path.join(tmp, files[i][0]), files[i][1]()));
  await rename(tmp, dir);
}

/** A file of `size` bytes of noise (every MiB stamped with its number), unless it exists with that size. */
async function bigFile(file, size, log) {
  if (existsSync(file) && statSync(file).size === size) return;
  const tmp = `${file}.gen-${process.pid}`;
  log(`generating ${path.relative(CACHE_DIR, file)} (${size / MiB} MiB)`);
  const fh = await open(tmp, 'w');
  try {
    const chunk = Buffer.alloc(4 * MiB);
    for (let off = 0; off < size; off += chunk.length) {
      const len = Math.min(chunk.length, size - off);
      for (let o = 0; o < len; o += MiB) {
        slice(off / MiB + o / MiB, MiB).copy(chunk, o);
        chunk.write(`MiB ${(off + o) / MiB}\n`, o, 'latin1');
      }
      await fh.write(chunk, 0, len, off);
    }
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

const photoNames = (n) =>
  Array.from({ length: n }, (_, i) => `IMG_${String(i + 1).padStart(n > 9999 ? 6 : 4, '0')}.jpg`);

/** Everything this profile needs; returns the paths the workloads use. */
export async function prepareData(profile, log) {
  await mkdir(SHARE_DIR, { recursive: true });
  await mkdir(UPLOAD_SRC_DIR, { recursive: true });
  for (const name of await readdir(SHARE_DIR)) {
    if (name.startsWith('.gen-') || name.includes('.gen-'))
      await rm(path.join(SHARE_DIR, name), { recursive: true, force: true });
  }
  await folder(
    path.join(SHARE_DIR, 'small'),
    photoNames(20).map((n, i) => [n, () => jpegLike(i, 2 * KiB)]),
    log,
  );
  const browse = [];
  for (let a = 0; a < 50; a++) {
    for (let p = 0; p < 20; p++)
      browse.push([
        `album-${String(a).padStart(2, '0')}/IMG_${String(p + 1).padStart(4, '0')}.jpg`,
        () => jpegLike(a * 20 + p, 2 * KiB + (((a * 20 + p) * 1117) % (22 * KiB))),
      ]);
  }
  await folder(path.join(SHARE_DIR, 'browse'), browse, log);
  const listing = (n) => photoNames(n).map((name, i) => [name, () => jpegLike(i, 2 * KiB + ((i * 613) % (4 * KiB)))]);
  for (const n of profile.listings) await folder(path.join(SHARE_DIR, listingFolder(n)), listing(n), log);
  for (const [name, size] of profile.bigFiles) await bigFile(path.join(SHARE_DIR, name), size, log);
  if ((await readdir(UPLOAD_SRC_DIR)).length !== 64) {
    log('generating upload-src/ (64 photos of 100–500 KiB)');
    await rm(UPLOAD_SRC_DIR, { recursive: true, force: true });
    await folder(
      UPLOAD_SRC_DIR,
      Array.from({ length: 64 }, (_, i) => [
        `photo-${String(i).padStart(2, '0')}.jpg`,
        () => paddedPhoto(i, 100 * KiB + ((i * 6263 * 64) % (400 * KiB))),
      ]),
      log,
    );
  }
  await folder(
    DATED_DIR,
    photoNames(DATED_COUNT).map((n, i) => {
      const day = String(1 + (i % 28)).padStart(2, '0');
      const second = String(i % 60).padStart(2, '0');
      return [n, () => jpegTaken(i, 2 * KiB + ((i * 4093) % (4 * KiB)), `2024:05:${day} 12:00:${second}`)];
    }),
    log,
  );
  return {
    shareDir: SHARE_DIR,
    datedDir: DATED_DIR,
    uploadSrcDir: UPLOAD_SRC_DIR,
    uploadSources: (await readdir(UPLOAD_SRC_DIR)).sort().map((f) => path.join(UPLOAD_SRC_DIR, f)),
  };
}

/** The folder of the listing workload of n photos: photos-10k, photos-100k. */
export const listingFolder = (n) => `photos-${n / 1000}k`;
export const sizes = { KiB, MiB, GiB };
