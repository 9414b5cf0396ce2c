import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBody } from '../../plugin/store/body-writer.js';
import { tempFolder } from '../helpers/system.js';

const pattern = (length: number, seed: number): Buffer =>
  Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) % 251));

async function* chunksOf(parts: readonly Buffer[], pulled?: { count: number }): AsyncGenerator<Uint8Array> {
  for (const part of parts) {
    if (pulled) pulled.count += 1;
    yield part;
  }
}

async function newFile(t: Parameters<typeof tempFolder>[0]): Promise<{ path: string; fd: number }> {
  const path = join(await tempFolder(t, 'body-writer-'), 'upload.part');
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  t.after(() => closeSync(fd));
  return { path, fd };
}

test('every byte lands in order, across batches, syncs, tiny and empty chunks', async (t) => {
  const parts = [
    ...Array.from({ length: 40 }, (_, i) => pattern(65_536, i)),
    Buffer.alloc(0),
    ...Array.from({ length: 3000 }, (_, i) => pattern(7, i)),
    pattern(3_000_001, 99),
  ];
  const { path, fd } = await newFile(t);
  const written = await writeBody(fd, chunksOf(parts), { batchBytes: 256 * 1024, syncEveryBytes: 1024 * 1024 });
  const expected = Buffer.concat(parts);
  assert.equal(written, expected.length);
  assert.ok(readFileSync(path).equals(expected));
});

test('an empty body writes nothing', async (t) => {
  const { path, fd } = await newFile(t);
  assert.equal(await writeBody(fd, chunksOf([])), 0);
  assert.equal(readFileSync(path).length, 0);
});

test('a body that fails half way: the error comes through once nothing runs on the file any more', async (t) => {
  const { path, fd } = await newFile(t);
  async function* failing(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < 10; i++) yield pattern(300_000, i);
    throw new Error('the client went away');
  }
  await assert.rejects(writeBody(fd, failing(), { batchBytes: 1024 * 1024 }), /client went away/);
  // Whatever was written is a prefix of the body, and no write is still under way: the size stays.
  const size = readFileSync(path).length;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(readFileSync(path).length, size);
});

test('a failing write stops reading the body: at most two batches are ever held', async (t) => {
  const path = join(await tempFolder(t, 'body-writer-'), 'read-only');
  writeFileSync(path, '');
  const fd = openSync(path, constants.O_RDONLY);
  t.after(() => closeSync(fd));
  const pulled = { count: 0 };
  const parts = Array.from({ length: 1000 }, (_, i) => Buffer.alloc(65_536, i));
  await assert.rejects(writeBody(fd, chunksOf(parts, pulled), { batchBytes: 1024 * 1024 }), { code: 'EBADF' });
  // Two 1 MiB batches of 64 KiB chunks, and the one that noticed.
  assert.ok(pulled.count <= 2 * 16 + 1, `${pulled.count} chunks read`);
});
