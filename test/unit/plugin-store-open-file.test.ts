import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, openSync } from 'node:fs';
import { rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FsOpenFile, STREAM_READ_BYTES, collectionFile } from '../../plugin/store/open-file.js';
import { StoreError } from '../../plugin/store/errors.js';
import type { ResourceInfo } from '../../plugin/store/store.js';
import { openFiles, tempFolder } from '../helpers/system.js';

const info = (size: number): ResourceInfo => ({
  name: 'f.bin',
  isCollection: false,
  size,
  modified: new Date(0),
  created: new Date(0),
  etag: '"x"',
});

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The descriptors of this process settle after the asynchronous closes. */
async function settledOpenFiles(expected: number): Promise<number> {
  for (let i = 0; i < 50 && openFiles(process.pid) !== expected; i++) await new Promise((r) => setTimeout(r, 10));
  return openFiles(process.pid);
}

async function fileWith(t: Parameters<typeof tempFolder>[0], content: Buffer): Promise<string> {
  const file = join(await tempFolder(t, 'open-file-'), 'f.bin');
  await writeFile(file, content);
  return file;
}

const pattern = (length: number): Buffer => Buffer.from(Array.from({ length }, (_, i) => (i * 7) % 251));

test('bytes() and stream() give the whole file and any span, from one descriptor', async (t) => {
  const content = pattern(3 * STREAM_READ_BYTES + 123);
  const path = await fileWith(t, content);
  const before = openFiles(process.pid);
  const file = new FsOpenFile(openSync(path, constants.O_RDONLY), info(content.length));
  assert.deepEqual(await file.bytes(), content);
  assert.deepEqual(await file.bytes({ start: 10, end: 19 }), content.subarray(10, 20));
  assert.deepEqual(await collect(file.stream()), content);
  const span = { start: STREAM_READ_BYTES - 5, end: 2 * STREAM_READ_BYTES + 7 };
  assert.deepEqual(await collect(file.stream(span)), content.subarray(span.start, span.end + 1));
  file.close();
  file.close();
  assert.equal(await settledOpenFiles(before), before, 'the descriptor is closed');
});

test('an empty file reads as no bytes', async (t) => {
  const path = await fileWith(t, Buffer.alloc(0));
  const file = new FsOpenFile(openSync(path, constants.O_RDONLY), info(0));
  assert.equal((await file.bytes()).length, 0);
  assert.equal((await collect(file.stream())).length, 0);
  file.close();
});

test('a stream keeps the file open after close() until it has ended', async (t) => {
  const content = pattern(2 * STREAM_READ_BYTES);
  const path = await fileWith(t, content);
  const before = openFiles(process.pid);
  const file = new FsOpenFile(openSync(path, constants.O_RDONLY), info(content.length));
  const stream = file.stream();
  file.close();
  assert.equal(openFiles(process.pid), before + 1, 'still open for the stream');
  assert.deepEqual(await collect(stream), content);
  assert.equal(await settledOpenFiles(before), before);
  assert.throws(() => file.stream(), StoreError, 'nothing is read after close()');
});

test('a stream destroyed half way (the client went away) lets go of the file', async (t) => {
  const content = pattern(4 * STREAM_READ_BYTES);
  const path = await fileWith(t, content);
  const before = openFiles(process.pid);
  const file = new FsOpenFile(openSync(path, constants.O_RDONLY), info(content.length));
  const stream = file.stream();
  file.close();
  await new Promise<void>((resolve) => stream.once('data', () => resolve()));
  stream.destroy();
  assert.equal(await settledOpenFiles(before), before);
});

test('the bytes are those of the version that was opened, even after another is renamed over it', async (t) => {
  const path = await fileWith(t, Buffer.from('old version'));
  const fd = openSync(path, constants.O_RDONLY);
  const file = new FsOpenFile(fd, info(11));
  await writeFile(`${path}.new`, Buffer.from('NEW VERSION, LONGER'));
  await rename(`${path}.new`, path);
  assert.equal((await file.bytes()).toString(), 'old version');
  assert.equal((await collect(file.stream({ start: 4, end: 10 }))).toString(), 'version');
  file.close();
});

test('a file cut shorter in place since it was opened fails the read instead of ending early', async (t) => {
  const content = pattern(2 * STREAM_READ_BYTES);
  const path = await fileWith(t, content);
  const file = new FsOpenFile(openSync(path, constants.O_RDONLY), info(content.length));
  await truncate(path, 100);
  await assert.rejects(file.bytes(), (error: unknown) => error instanceof StoreError && error.kind === 'failed');
  await assert.rejects(collect(file.stream()), (error: unknown) => error instanceof StoreError);
  file.close();
});

test('a collection has nothing to read and holds nothing', async () => {
  const folder = collectionFile({ ...info(0), isCollection: true });
  await assert.rejects(folder.bytes(), (error: unknown) => error instanceof StoreError && error.kind === 'wrong-kind');
  assert.throws(() => folder.stream());
  folder.close();
});
