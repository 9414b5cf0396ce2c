/** Slow-loris on the body is cut off; a slow but steady upload is not. */
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { guardBodyRate } from '../../plugin/http/body-rate.js';

const OPTIONS = { minBytesPerSecond: 100, windowMs: 600, sampleMs: 100 };

/** Sends `chunk` every `everyMs` for `totalMs`; resolves with what the server saw. */
async function upload(chunk: string, everyMs: number, totalMs: number): Promise<{ cut: boolean; bytes: number }> {
  let seen: Promise<{ cut: boolean; bytes: number }> = Promise.resolve({ cut: false, bytes: 0 });
  const server = createServer((req: IncomingMessage, res) => {
    seen = new Promise((resolve) => {
      let bytes = 0;
      const stop = guardBodyRate(req, OPTIONS);
      req.on('data', (data: Buffer) => (bytes += data.length));
      req.on('end', () => {
        stop();
        res.end('ok');
        resolve({ cut: false, bytes });
      });
      req.on('close', () => resolve({ cut: !req.complete, bytes }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = request({
    port,
    host: '127.0.0.1',
    method: 'PUT',
    path: '/',
    headers: { 'transfer-encoding': 'chunked' },
  });
  client.on('error', () => undefined);
  client.on('response', (res) => res.resume());
  const started = Date.now();
  while (Date.now() - started < totalMs && !client.destroyed) {
    client.write(chunk);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  client.end();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const result = await seen;
  server.closeAllConnections();
  server.close();
  return result;
}

test('a body trickling below the minimum rate is cut off', async () => {
  const result = await upload('x', 100, 2000);
  assert.equal(result.cut, true);
  assert.ok(result.bytes < 20, `${result.bytes} bytes`);
});

test('a slow but steady body above the minimum rate is not', async () => {
  const result = await upload('y'.repeat(20), 100, 1500);
  assert.equal(result.cut, false);
  assert.ok(result.bytes >= 200, `${result.bytes} bytes`);
});
