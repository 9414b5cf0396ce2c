import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, openSync } from 'node:fs';
import { rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FsOpenFile, STREAM_READ_BYTES, collectionFile } from '../../plugin/store/open-file.js';
import { StoreError } from '../../plugin/store/errors.js';
import { ReadBuffers } from '../../plugin/store/read-buffers.js';
import type { ChunkConsumer, ResourceInfo } from '../../plugin/store/store.js';
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

/** A consumer that is done with its chunks when the test says so; `finish()` plays the end of an answer. */
function consumer(): ChunkConsumer & { done: boolean; finish(): void } {
  const callbacks: (() => void)[] = [];
  return {
    done: false,
    doneWithAll() {
      return this.done;
    },
    onceDoneWithAll: (callback) => void callbacks.push(callback),
    finish: () => callbacks.splice(0).forEach((callback) => callback()),
  };
}

/** Every buffer waiting in the pool, taken out (so the test can look at them). */
const drained = (buffers: ReadBuffers): Set<ArrayBufferLike> =>
  new Set(Array.from({ length: buffers.waiting }, () => buffers.take().buffer));

test('with a consumer, a stream reads into shared buffers, reused only once the consumer is done with every chunk', async (t) => {
  const content = pattern(10 * 4096 + 100);
  const path = await fileWith(t, content);
  // A buffer read into is pending until the consumer is given its chunk: it must not be taken again before.
  const pending = new Set<ArrayBufferLike>();
  let readOver = 0;
  const buffers = new (class extends ReadBuffers {
    override take(): Buffer {
      const buffer = super.take();
      if (pending.has(buffer.buffer)) readOver += 1;
      pending.add(buffer.buffer);
      return buffer;
    }
  })(4096, 8, 60_000);
  const file = new FsOpenFile(openSync(path, constants.O_RDONLY), info(content.length), false, null, null, buffers);

  const busy = consumer();
  const held: Buffer[] = [];
  const slow = file.stream(undefined, busy);
  for await (const chunk of slow) {
    pending.delete((chunk as Buffer).buffer);
    held.push(chunk as Buffer);
  }
  assert.deepEqual(Buffer.concat(held), content, 'nothing was read over while the consumer still held it');
  assert.equal(new Set(held.map((chunk) => chunk.buffer)).size, 11, 'a buffer per chunk');
  assert.equal(buffers.waiting, 0, 'none given back before the consumer is done');
  busy.finish();
  assert.equal(buffers.waiting, 8, 'given back once the answer finished (as many as are kept)');
  drained(buffers);

  const quick = consumer();
  quick.done = true; // it sends each chunk as soon as it is given one (below, on 'data')
  const copies: Buffer[] = [];
  const used = new Set<ArrayBufferLike>();
  const stream = file.stream({ start: 5, end: content.length - 1 }, quick);
  stream.on('data', (chunk: Buffer) => {
    pending.delete(chunk.buffer);
    copies.push(Buffer.from(chunk));
    used.add(chunk.buffer);
    // As a pipe whose destination is full: the stream reads the next chunk ahead meanwhile.
    stream.pause();
    setTimeout(() => stream.resume(), 2);
  });
  await new Promise((resolve) => stream.once('end', resolve));
  assert.deepEqual(Buffer.concat(copies), content.subarray(5));
  assert.equal(readOver, 0, 'no buffer was read into while its chunk still waited in the stream');
  assert.ok(used.size <= 2, `read into ${used.size} buffers again and again`);
  quick.finish();
  assert.ok(buffers.waiting >= 1);
  file.close();
});

test('a stream destroyed early gives back no buffer it handed out', async (t) => {
  const content = pattern(6 * 4096);
  const path = await fileWith(t, content);
  const buffers = new ReadBuffers(4096, 8, 60_000);
  const file = new FsOpenFile(openSync(path, constants.O_RDONLY), info(content.length), false, null, null, buffers);
  const gone = consumer();
  const stream = file.stream(undefined, gone);
  const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
  stream.destroy();
  await new Promise((resolve) => stream.once('close', resolve));
  gone.done = true; // a write may still hold the chunk even so: only the end of the answer counts
  gone.finish();
  assert.ok(!drained(buffers).has(first.buffer), 'the chunk handed out stays out');
  file.close();
});

test('bytes() with a consumer reads into a shared buffer, given back when the consumer is done or the read fails', async (t) => {
  const content = pattern(3000);
  const path = await fileWith(t, content);
  const buffers = new ReadBuffers(4096, 8, 60_000);
  const file = new FsOpenFile(openSync(path, constants.O_RDONLY), info(content.length), false, null, null, buffers);
  const answer = consumer();
  const bytes = await file.bytes({ start: 0, end: 2999 }, answer);
  assert.deepEqual(bytes, content);
  assert.equal(bytes.buffer.byteLength, 4096, 'a view of a shared buffer');
  assert.equal(buffers.waiting, 0);
  answer.finish();
  assert.deepEqual(drained(buffers), new Set([bytes.buffer]));
  const whole = await file.bytes(undefined, consumer());
  assert.equal(whole.buffer.byteLength, 4096);

  await truncate(path, 100);
  const failing = consumer();
  await assert.rejects(file.bytes(undefined, failing), StoreError);
  assert.equal(buffers.waiting, 1, 'the buffer of the failed read is back at once');
  file.close();
  const large = new FsOpenFile(openSync(path, constants.O_RDONLY), info(5000), false, null, null, buffers);
  await truncate(path, 5000);
  assert.equal(
    (await large.bytes(undefined, consumer())).buffer.byteLength >= 5000,
    true,
    'too big for one: its own buffer',
  );
  large.close();
});

test('a collection has nothing to read and holds nothing', async () => {
  const folder = collectionFile({ ...info(0), isCollection: true });
  await assert.rejects(folder.bytes(), (error: unknown) => error instanceof StoreError && error.kind === 'wrong-kind');
  assert.throws(() => folder.stream());
  folder.close();
});
