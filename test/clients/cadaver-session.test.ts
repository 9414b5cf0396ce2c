/**
 * A scripted cadaver session against the real host, driven one command at a
 * time (cadaver prints its prompt, we send the next line), so that the
 * server's disk can be checked after every step: put, get, mkcol, copy,
 * move, lock (and a second user's put refused while the lock is held),
 * propset/propget, unlock, rm.
 *
 * cadaver (Debian package cadaver) is built on neon, whose lock store sends
 * the session's lock tokens in an If header on every later request.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cadaver, homeWithNetrc } from '../helpers/clients.js';
import { startHost, type HostProcess } from '../helpers/host-process.js';
import { DAV, descendants, parseMultistatus, parseXml } from '../helpers/replay.js';
import { requireTool } from '../helpers/tools.js';

const PROMPT = /dav:[^\n]*> $/;
/** cadaver asking on the terminal: the script cannot answer, so the step fails at once. */
const QUESTION = /(Username|Password|Enter locktoken): $/;
/** cadaver's default namespace for propset/propget. */
const CADAVER_NS = 'http://webdav.org/cadaver/custom-properties/';

/** One interactive cadaver: `run(command)` answers with what cadaver printed before its next prompt. */
class CadaverSession {
  private output = '';
  private waiter: (() => void) | undefined;
  private closed: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly dispose: () => Promise<void>,
  ) {
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      this.output += data;
      this.waiter?.();
    });
    child.stderr.setEncoding('utf8').on('data', (data: string) => {
      this.output += data;
      this.waiter?.();
    });
    child.stdin.on('error', () => undefined); // cadaver gone: the close handler reports it
    this.closed = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  static async open(url: string, user: string, password: string, cwd: string): Promise<CadaverSession> {
    const { home, dispose } = await homeWithNetrc(new URL(url).hostname, user, password);
    const child = spawn('cadaver', [url], { cwd, env: { ...process.env, HOME: home } });
    const session = new CadaverSession(child, dispose);
    try {
      await session.untilPrompt(`connecting to ${url}`);
    } catch (error) {
      await session.quit();
      throw error;
    }
    return session;
  }

  private untilPrompt(what: string, timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`cadaver: no prompt after ${what}; output so far:\n${this.output}`));
      }, timeoutMs);
      const check = (): void => {
        if (QUESTION.test(this.output)) {
          clearTimeout(timer);
          this.waiter = undefined;
          reject(new Error(`cadaver asked a question after ${what}:\n${this.output}`));
          return;
        }
        if (!PROMPT.test(this.output)) return;
        clearTimeout(timer);
        this.waiter = undefined;
        const text = this.output.replace(PROMPT, '');
        this.output = '';
        resolve(text);
      };
      this.waiter = check;
      check();
    });
  }

  /** Sends one command and returns cadaver's answer to it. */
  run(command: string): Promise<string> {
    this.child.stdin.write(`${command}\n`);
    return this.untilPrompt(command);
  }

  async quit(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.stdin.end('quit\n');
      if (QUESTION.test(this.output)) this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.closed;
      clearTimeout(timer);
    }
    await this.dispose();
  }
}

describe('cadaver: a scripted session', () => {
  let host: HostProcess;
  let photos: string;
  let work: string;
  let session: CadaverSession | undefined;
  const share = (): string => `${host.url}/webdav/main/`;
  const auth = (user: string, password: string): string =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  before(async () => {
    host = await startHost({
      users: [
        { name: 'carla', password: 'c@rla:1ü', groups: ['WebDAV.main'] },
        { name: 'bruno', password: 'bruno-pw', groups: ['WebDAV.main'] },
      ],
    });
    photos = path.join(host.dataDir, 'photos');
    work = await mkdtemp(path.join(tmpdir(), 'cadaver-session-'));
  });
  after(async () => {
    await session?.quit();
    await host?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('put, get, mkcol, copy, move, lock, propset, propget, unlock, rm — the disk after every step', async (t) => {
    if (!requireTool(t, 'cadaver', 'cadaver')) return;
    const first = randomBytes(150_000);
    const second = randomBytes(90_000);
    await writeFile(path.join(work, 'Strand.jpg'), first);
    await writeFile(path.join(work, 'Strand-neu.jpg'), second);
    await writeFile(path.join(work, 'fremd.txt'), 'from the other user');
    const onDisk = (...parts: string[]): string => path.join(photos, ...parts);
    const lockdiscovery = async (name: string): Promise<string[]> => {
      const res = await fetch(share() + name, {
        method: 'PROPFIND',
        headers: { Depth: '0', Authorization: auth('carla', 'c@rla:1ü') },
      });
      const text = await res.text();
      assert.equal(res.status, 207, text);
      return descendants(parseXml(text), DAV, 'locktoken').map((token) => token.text.trim());
    };

    session = await CadaverSession.open(share(), 'carla', 'c@rla:1ü', work);

    // put
    let out = await session.run('put Strand.jpg');
    assert.match(out, /Uploading Strand\.jpg to `\/webdav\/main\/Strand\.jpg':.*succeeded/s);
    assert.deepEqual(await readFile(onDisk('Strand.jpg')), first);

    // get
    out = await session.run('get Strand.jpg Strand-zurueck.jpg');
    assert.match(out, /succeeded/);
    assert.deepEqual(await readFile(path.join(work, 'Strand-zurueck.jpg')), first);

    // mkcol
    out = await session.run('mkcol Urlaub');
    assert.match(out, /Creating `Urlaub': succeeded/);
    assert.ok((await stat(onDisk('Urlaub'))).isDirectory());

    // copy
    out = await session.run('copy Strand.jpg Urlaub/Kopie.jpg');
    assert.match(out, /succeeded/);
    assert.deepEqual(await readFile(onDisk('Urlaub', 'Kopie.jpg')), first);
    assert.deepEqual(await readFile(onDisk('Strand.jpg')), first);

    // move
    out = await session.run('move Urlaub/Kopie.jpg Urlaub/Meer.jpg');
    assert.match(out, /succeeded/);
    assert.deepEqual(await readdir(onDisk('Urlaub')), ['Meer.jpg']);
    assert.deepEqual(await readFile(onDisk('Urlaub', 'Meer.jpg')), first);

    // lock: cadaver shows the token, and it is the one the server reports
    out = await session.run('lock Strand.jpg');
    assert.match(out, /Locking `Strand\.jpg': succeeded/);
    out = await session.run('showlocks');
    const token = /Lock token <([^>]+)>/.exec(out)?.[1];
    assert.ok(token, out);
    assert.match(token, /^(urn:uuid:|opaquelocktoken:)/);
    assert.match(out, /Scope: exclusive\s+Type: write/);
    assert.deepEqual(await lockdiscovery('Strand.jpg'), [token]);

    // While it is locked, another user cannot replace or delete it.
    const other = await cadaver(share(), 'bruno', 'bruno-pw', ['put fremd.txt Strand.jpg', 'rm Strand.jpg'], work);
    assert.match(other.stdout, /Uploading fremd\.txt to `\/webdav\/main\/Strand\.jpg':.*failed:\s*423 Locked/s);
    assert.match(other.stdout, /Deleting `Strand\.jpg':.*failed:\s*423 Locked/s);
    assert.deepEqual(await readFile(onDisk('Strand.jpg')), first);

    // The lock holder can (cadaver sends the token).
    out = await session.run('put Strand-neu.jpg Strand.jpg');
    assert.match(out, /succeeded/);
    assert.deepEqual(await readFile(onDisk('Strand.jpg')), second);

    // propset / propget, also while locked. (cadaver puts the value into the
    // PROPPATCH body unescaped, so a value with < or & is malformed XML: 400.)
    out = await session.run('propset Strand.jpg Fotograf "Carla Müller, Strand 2025"');
    assert.match(out, /Setting property on `Strand\.jpg': succeeded/);
    out = await session.run('propget Strand.jpg Fotograf');
    assert.match(out, /Value of Fotograf is: Carla Müller, Strand 2025/);
    const props = await fetch(share() + 'Strand.jpg', {
      method: 'PROPFIND',
      headers: { Depth: '0', Authorization: auth('bruno', 'bruno-pw') },
      body: `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="${CADAVER_NS}"><D:prop><C:Fotograf/></D:prop></D:propfind>`,
    });
    assert.equal(
      parseMultistatus(await props.text())[0]!.prop(CADAVER_NS, 'Fotograf')?.text,
      'Carla Müller, Strand 2025',
    );

    // unlock: the server holds no lock, the other user may write again
    out = await session.run('unlock Strand.jpg');
    assert.match(out, /Unlocking `Strand\.jpg': succeeded/);
    assert.deepEqual(await lockdiscovery('Strand.jpg'), []);
    out = await session.run('showlocks');
    assert.match(out, /No owned locks/);
    const again = await cadaver(share(), 'bruno', 'bruno-pw', ['put fremd.txt Fremd.txt'], work);
    assert.match(again.stdout, /succeeded/);
    assert.equal(await readFile(onDisk('Fremd.txt'), 'utf8'), 'from the other user');

    // A property travels with its file.
    out = await session.run('move Strand.jpg Urlaub/Strand.jpg');
    assert.match(out, /succeeded/);
    out = await session.run('propget Urlaub/Strand.jpg Fotograf');
    assert.match(out, /Value of Fotograf is: Carla Müller/);

    // rm
    out = await session.run('rm Urlaub/Meer.jpg');
    assert.match(out, /Deleting `Urlaub\/Meer\.jpg': succeeded/);
    out = await session.run('rm Fremd.txt');
    assert.match(out, /succeeded/);
    assert.deepEqual(await readdir(onDisk('Urlaub')), ['Strand.jpg']);
    assert.deepEqual(await readFile(onDisk('Urlaub', 'Strand.jpg')), second);
    assert.deepEqual(
      (await readdir(photos)).sort(),
      ['Urlaub', 'sample-1.jpg', 'sample-2.jpg', 'sample-3.jpg'],
      'nothing else appeared or vanished, and no upload leftovers',
    );

    await session.quit();
    session = undefined;
  });
});
