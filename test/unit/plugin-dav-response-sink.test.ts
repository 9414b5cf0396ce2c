import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { ClientGone, produceBody } from '../../plugin/dav/response-sink.js';

const noMidway = (error: unknown): void => assert.fail(`unexpected failure midway: ${String(error)}`);

test('a small answer comes whole, as one string', async () => {
  const body = await produceBody(async (sink) => {
    await sink.write('<a>');
    await sink.write('</a>');
  }, noMidway);
  assert.equal(body, '<a></a>');
});

test('bytes kept from an earlier answer come out in order with the text; the answer is bytes then', async () => {
  const body = await produceBody(async (sink) => {
    await sink.write('<a>');
    await sink.write(Buffer.from('<b>é</b>'));
    await sink.write('</a>');
  }, noMidway);
  assert.ok(Buffer.isBuffer(body));
  assert.equal(body.toString(), '<a><b>é</b></a>');
  const piece = Buffer.from('z'.repeat(1024));
  const streamed = await produceBody(async (sink) => {
    for (let i = 0; i < 100; i++) await sink.write(i % 2 === 0 ? piece : 'y'.repeat(1024));
  }, noMidway);
  assert.ok(streamed instanceof Readable);
  assert.equal(await text(streamed), ('z'.repeat(1024) + 'y'.repeat(1024)).repeat(50));
});

test('an answer that outgrows one chunk is streamed before it is complete', async () => {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const piece = 'x'.repeat(1024);
  const answer = produceBody(async (sink) => {
    for (let i = 0; i < 100; i++) await sink.write(piece);
    await held; // the producer is not done, yet the body is already there
    await sink.write('end');
  }, noMidway);
  const body = await answer;
  assert.ok(body instanceof Readable);
  release();
  const all = await text(body);
  assert.equal(all, piece.repeat(100) + 'end');
});

test('a failure before anything was sent rejects the body, so the caller answers with an error status', async () => {
  const failure = new Error('disk gone');
  await assert.rejects(
    produceBody(async (sink) => {
      await sink.write('<a>');
      throw failure;
    }, noMidway),
    (error) => error === failure,
  );
});

test('a failure after streaming began cuts the stream short and is reported', async () => {
  const reported: unknown[] = [];
  const body = await produceBody(
    async (sink) => {
      await sink.write('y'.repeat(70 * 1024));
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('disk gone');
    },
    (error) => reported.push(error),
  );
  assert.ok(body instanceof Readable);
  await assert.rejects(text(body), /disk gone/);
  assert.equal(reported.length, 1);
});

test('a client that leaves mid-stream stops the producer without a report', async () => {
  let stopped: unknown = null;
  const body = await produceBody(async (sink) => {
    try {
      for (;;) await sink.write('z'.repeat(64 * 1024));
    } catch (error) {
      stopped = error;
      throw error;
    }
  }, noMidway);
  assert.ok(body instanceof Readable);
  body.destroy();
  for (let i = 0; i < 50 && stopped === null; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(stopped instanceof ClientGone);
});
