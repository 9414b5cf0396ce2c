import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { sentChunksOf } from '../../plugin/dav/sent-chunks.js';
import type { ChunkConsumer } from '../../plugin/store/store.js';

/** More than loopback's socket buffers hold: the server's write waits for the client. */
const BODY = Buffer.alloc(32 * 1024 * 1024, 7);

test('an answer is done with its chunks only once the kernel has them, not while a paused client blocks the write', async (t) => {
  const seen: { consumer?: ChunkConsumer } = {};
  let called = 0;
  const server = createServer((req, res) => {
    const consumer = (seen.consumer = sentChunksOf(res));
    consumer.onceDoneWithAll(() => (called += 1));
    res.setHeader('Content-Length', BODY.length);
    res.end(BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;

  const response = await new Promise<IncomingMessage>((resolve) =>
    request({ port, host: '127.0.0.1', path: '/' }, resolve).end(),
  );
  response.pause();
  await sleep(200);
  const { consumer } = seen;
  assert.ok(consumer, 'the server answered');
  assert.equal(consumer.doneWithAll(), false, 'bytes still wait to be written');
  assert.equal(called, 0);

  let received = 0;
  response.on('data', (chunk: Buffer) => (received += chunk.length));
  response.resume();
  await new Promise((resolve) => response.once('end', resolve));
  assert.equal(received, BODY.length);
  for (let i = 0; i < 50 && called === 0; i++) await sleep(10);
  assert.equal(called, 1, 'done once, after the last byte');
  assert.equal(consumer.doneWithAll(), true);
});

test('an answer cut off never says it is done with all its chunks', async (t) => {
  let called = 0;
  let closed!: () => void;
  const gone = new Promise<void>((resolve) => (closed = resolve));
  const server = createServer((req, res) => {
    sentChunksOf(res).onceDoneWithAll(() => (called += 1));
    res.on('close', closed);
    res.setHeader('Content-Length', BODY.length);
    res.end(BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const req = request({ port, host: '127.0.0.1', path: '/' }, (res) => {
    res.once('data', () => req.destroy());
  });
  req.on('error', () => {});
  req.end();
  await gone;
  await sleep(50);
  assert.equal(called, 0);
});
