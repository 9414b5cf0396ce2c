/**
 * A COPY, or a MOVE across devices (the rename answers EXDEV, so the move
 * copies and removes), of a folder tree interrupted by errors at places
 * fast-check picks: a destination file that cannot be written (507), a
 * folder that cannot be made (507), a source file that breaks while being
 * read (EIO half way) or cannot be opened (403), a folder that cannot be
 * listed (500), a source that cannot be removed (403). The tests run as
 * root, so the errors come from a fault-injecting store.
 *
 * Whatever fails: nothing is lost (every file is whole, at its source or its
 * destination), nothing half-written is left, and the answer reports exactly
 * what was not done — every missing piece is explained by a reported
 * resource (itself or a folder above it), and nothing that was done is
 * reported as failed.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Faults, faultyStores, type Fault } from '../helpers/faulty-store.js';
import { startPlugin, type Harness } from '../helpers/plugin-harness.js';
import { snapshot, temporaries } from '../helpers/system.js';

/** The tree copied and moved: folders end with '/'. */
const TREE = [
  'a/',
  'a/x.jpg',
  'a/y.jpg',
  'a/b/',
  'a/b/z.jpg',
  'a/b/deep/',
  'a/b/deep/q.jpg',
  'c.jpg',
  'd/',
  'd/w.jpg',
  'e/',
];
const FILES = TREE.filter((p) => !p.endsWith('/'));
const FOLDERS = TREE.filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1));

const contentOf = (rel: string) => Buffer.from(`${rel} `.repeat(300));

/** The responses of a 207: relative path (below src/ or dst/) → status. */
function reported(xml: string, src: string, dst: string): Map<string, { side: 'src' | 'dst'; status: number }> {
  const out = new Map<string, { side: 'src' | 'dst'; status: number }>();
  for (const m of xml.matchAll(/<D:response>([\s\S]*?)<\/D:response>/g)) {
    const href = decodeURIComponent(/<D:href>([^<]*)<\/D:href>/.exec(m[1]!)![1]!).replace(/\/$/, '');
    const status = Number(/<D:status>HTTP\/1\.1 (\d{3})/.exec(m[1]!)![1]);
    for (const [side, prefix] of [
      ['src', `/webdav/main/${src}`],
      ['dst', `/webdav/main/${dst}`],
    ] as const) {
      if (href === prefix) out.set('', { side, status });
      else if (href.startsWith(`${prefix}/`)) out.set(href.slice(prefix.length + 1), { side, status });
    }
  }
  return out;
}

/** Whether a reported resource (the file itself or a folder above it) explains what happened to `rel`. */
const explained = (rel: string, paths: Iterable<string>): boolean =>
  [...paths].some((p) => p === '' || p === rel || rel.startsWith(`${p}/`));

const faultArbitrary = (moving: boolean) =>
  fc.oneof(
    fc.constantFrom(...FILES).map((f) => ({ op: 'write' as const, rel: f, side: 'dst' as const, status: 507 })),
    fc
      .constantFrom(...FOLDERS)
      .map((f) => ({ op: 'makeCollection' as const, rel: f, side: 'dst' as const, status: 507 })),
    fc
      .constantFrom(...FILES)
      .map((f) => ({ op: 'read' as const, rel: f, side: 'src' as const, status: 500, afterBytes: 100 })),
    fc.constantFrom(...FILES).map((f) => ({ op: 'read' as const, rel: f, side: 'src' as const, status: 403 })),
    fc.constantFrom(...FOLDERS).map((f) => ({ op: 'list' as const, rel: f, side: 'src' as const, status: 500 })),
    ...(moving
      ? [
          fc
            .constantFrom(...TREE.map((p) => p.replace(/\/$/, '')))
            .map((f) => ({ op: 'removeOne' as const, rel: f, side: 'src' as const, status: 403 })),
        ]
      : []),
  );

describe('a COPY or cross-device MOVE of a tree interrupted by errors', () => {
  let harness: Harness;
  const faults = new Faults();
  let run = 0;

  before(async () => {
    harness = await startPlugin({ storeFactory: faultyStores(faults) });
  });
  after(() => harness?.stop());

  async function build(src: string): Promise<void> {
    for (const rel of TREE) {
      if (rel.endsWith('/')) await mkdir(join(harness.root, src, rel), { recursive: true });
      else await writeFile(join(harness.root, src, rel), contentOf(rel));
    }
  }

  const read = (rel: string) => readFile(join(harness.root, rel)).catch(() => null);

  for (const method of ['COPY', 'MOVE'] as const) {
    it(`${method}: nothing lost, nothing half-written, exactly what failed reported`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(faultArbitrary(method === 'MOVE'), { minLength: 1, maxLength: 3 }),
          async (picked) => {
            run++;
            const src = `src-${run}`;
            const dst = `dst-${run}`;
            await build(src);
            const before = await snapshot(join(harness.root, src));
            faults.clear();
            if (method === 'MOVE') faults.add({ op: 'rename', path: src, status: 'cross-device' });
            faults.add(
              ...picked.map((f): Fault => ({
                op: f.op,
                path: `${f.side === 'src' ? src : dst}/${f.rel}`,
                status: f.status,
                ...('afterBytes' in f ? { afterBytes: f.afterBytes } : {}),
              })),
            );
            try {
              const res = await harness.fetch(`/webdav/main/${src}/`, {
                method,
                headers: { destination: `/webdav/main/${dst}/` },
              });
              const text = await res.text();
              const label = `${method} with ${JSON.stringify(picked)}: ${res.status} ${text}`;
              assert.ok([201, 207].includes(res.status) || res.status >= 400, label);
              const failures =
                res.status === 207
                  ? reported(text, src, dst)
                  : res.status >= 400
                    ? new Map([['', { side: 'dst' as const, status: res.status }]])
                    : new Map();
              if (res.status === 201) assert.equal(failures.size, 0);

              for (const rel of FILES) {
                const atSource = await read(`${src}/${rel}`);
                const atDestination = await read(`${dst}/${rel}`);
                const whole = contentOf(rel);
                if (atSource) assert.ok(atSource.equals(whole), `${rel} changed at its source: ${label}`);
                if (atDestination)
                  assert.ok(atDestination.equals(whole), `${rel} is incomplete at its destination: ${label}`);
                assert.ok(atSource || atDestination, `${rel} was lost: ${label}`);
                if (method === 'COPY') assert.ok(atSource, `COPY removed ${rel}: ${label}`);
                const notDone = method === 'COPY' ? !atDestination : Boolean(atSource);
                // Not done ⇔ explained by a reported resource; done ⇒ not itself reported.
                if (notDone)
                  assert.ok(
                    explained(rel, failures.keys()),
                    `${rel} was not ${method === 'COPY' ? 'copied' : 'moved'}, and nothing says so: ${label}`,
                  );
                else assert.ok(!failures.has(rel), `${rel} was done, but is reported as failed: ${label}`);
              }
              // Reported files were really not done.
              for (const [rel, { side }] of failures) {
                if (!FILES.includes(rel)) continue;
                if (method === 'COPY')
                  assert.equal(await read(`${dst}/${rel}`), null, `${rel} is reported but was copied: ${label}`);
                else assert.ok(await read(`${src}/${rel}`), `${rel} is reported (${side}) but was moved: ${label}`);
              }
              if (method === 'COPY')
                assert.deepEqual(await snapshot(join(harness.root, src)), before, `the source changed: ${label}`);
              assert.deepEqual(await temporaries(harness.root), [], `a temporary was left: ${label}`);
            } finally {
              faults.clear();
              await rm(join(harness.root, src), { recursive: true, force: true });
              await rm(join(harness.root, dst), { recursive: true, force: true });
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  }
});
