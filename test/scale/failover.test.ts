/**
 * Two instances behind nginx (docs/deploy.md) when one of them dies in the
 * middle of uploads: nothing half-written is ever listed or served, and the
 * clients' retries succeed through the instance that is left.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requireScale, scaleToolsPresent, startScaleCluster, type ScaleCluster } from '../helpers/cluster.js';
import { eventually } from '../helpers/host-process.js';
import { basic, sleep } from '../helpers/raw-http.js';

const ALICE = { name: 'alice', password: 'alice-pw', groups: ['WebDAV.main'] };
const auth = basic(ALICE.name, ALICE.password);
const CLIENTS = 16;
const CHUNK = 64 * 1024;
const CHUNKS = 48; // 3 MiB per upload, sent over about a second

/** The bytes of upload `n`: different per client, the same on every attempt. */
function chunkOf(n: number, i: number): Buffer {
  return Buffer.alloc(CHUNK, `client ${n} chunk ${i};`);
}
function digestOf(n: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i < CHUNKS; i++) hash.update(chunkOf(n, i));
  return hash.digest('hex');
}

/** A streamed PUT, paced so that it is still under way when an instance is killed. */
async function upload(url: string, n: number): Promise<number> {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i === CHUNKS) return controller.close();
      if (i % 4 === 3) await sleep(80);
      controller.enqueue(chunkOf(n, i++));
    },
  });
  const res = await fetch(`${url}/webdav/main/upload-${n}.bin`, {
    method: 'PUT',
    headers: { authorization: auth, 'content-type': 'application/octet-stream' },
    body,
    duplex: 'half',
  } as RequestInit);
  await res.arrayBuffer();
  return res.status;
}

/** What a client does: upload, and on an error or a 5xx try again, a few times. */
async function uploadWithRetries(url: string, n: number): Promise<{ attempts: string[]; ok: boolean }> {
  const attempts: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const status = await upload(url, n).catch((error: Error) => `error ${error.message}`);
    attempts.push(String(status));
    if (typeof status === 'number' && status >= 200 && status < 300) return { attempts, ok: true };
    await sleep(200);
  }
  return { attempts, ok: false };
}

function listed(xml: string): string[] {
  return [...xml.matchAll(/<D:href>\/webdav\/main\/([^<]*)<\/D:href>/g)]
    .map((m) => decodeURIComponent(m[1]!))
    .filter(Boolean);
}

describe('an instance killed while clients upload through nginx', () => {
  let cluster: ScaleCluster | undefined;

  before(async () => {
    if (!scaleToolsPresent()) return;
    cluster = await startScaleCluster({ users: [ALICE] });
  });
  after(() => cluster?.stop());

  it('SIGKILL of A during 16 uploads: every 2xx upload is whole, nothing partial is listed, retries succeed through B', async (t) => {
    if (!requireScale(t) || !cluster) return;
    const [a] = cluster.hosts;
    const clients = Array.from({ length: CLIENTS }, (_, n) => uploadWithRetries(cluster!.nginx.url, n));
    // Both instances are receiving bodies now (round robin); kill A in the middle.
    await sleep(400);
    a!.child.kill('SIGKILL');
    const results = await Promise.all(clients);

    const report = results.map((r, n) => `client ${n}: ${r.attempts.join(', ')}`).join('\n');
    assert.ok(
      results.every((r) => r.ok),
      `every client's upload succeeded in the end:\n${report}`,
    );
    assert.ok(
      results.some((r) => r.attempts.length > 1),
      `the kill interrupted no upload, so the test proved nothing:\n${report}`,
    );
    for (let n = 0; n < CLIENTS; n++) {
      const onDisk: string = createHash('sha256')
        .update(await readFile(path.join(cluster.photos, `upload-${n}.bin`)))
        .digest('hex');
      assert.equal(onDisk, digestOf(n), `upload-${n}.bin is whole on disk`);
    }
    const listing = await fetch(`${cluster.nginx.url}/webdav/main/`, {
      method: 'PROPFIND',
      headers: { authorization: auth, depth: '1' },
    });
    assert.equal(listing.status, 207);
    const names = listed(await listing.text()).sort();
    const uploads = Array.from({ length: CLIENTS }, (_, n) => `upload-${n}.bin`).sort();
    assert.deepEqual(names, uploads, 'the listing holds the uploads and nothing partial or temporary');
  });

  it('PostgreSQL stopped and started, and restarted (pg_ctl): requests in the gap get 503 with Retry-After, requests after it succeed, nothing is lost', async (t) => {
    if (!requireScale(t) || !cluster) return;
    const url = `${cluster.nginx.url}/webdav/main/before-restart.txt`;
    const put = await fetch(url, { method: 'PUT', headers: { authorization: auth }, body: 'kept' });
    assert.ok(put.status === 201 || put.status === 204, `${put.status}`);
    // pg_ctl restart closes the gap within a second; stop and start leave time to look into it.
    await cluster.database.halt();
    try {
      const answer = await eventually(async () => {
        // PROPFIND reads locks and dead properties, which a shared database never caches.
        const res = await fetch(url, { method: 'PROPFIND', headers: { authorization: auth, depth: '0' } });
        assert.equal(res.status, 503, 'while the database is down');
        return res;
      }, 15_000);
      assert.ok(answer.headers.get('retry-after'), 'a 503 says when to come back');
    } finally {
      await cluster.database.start();
    }
    await eventually(async () => {
      const res = await fetch(url, { headers: { authorization: auth } });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'kept');
    }, 15_000);
    // pg_ctl restart itself, under load: every answer is a success or a 503, and success comes back.
    const statuses = new Set<number>();
    let restarting = true;
    const load = (async () => {
      while (restarting) {
        const res = await fetch(url, { method: 'PROPFIND', headers: { authorization: auth, depth: '0' } });
        statuses.add(res.status);
        await res.arrayBuffer();
      }
    })();
    await cluster.database.restart();
    restarting = false;
    await load;
    assert.deepEqual(
      [...statuses].filter((status) => status !== 207 && status !== 503),
      [],
    );
    await eventually(async () => {
      const res = await fetch(url, { method: 'PROPFIND', headers: { authorization: auth, depth: '0' } });
      assert.equal(res.status, 207);
    }, 15_000);
    const after = await fetch(`${cluster.nginx.url}/webdav/main/after-restart.txt`, {
      method: 'PUT',
      headers: { authorization: auth },
      body: 'new',
    });
    assert.equal(after.status, 201);
  });
});
