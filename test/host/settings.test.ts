import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, FIXTURE_PLUGIN, startHost, type HostProcess } from '../helpers/host-process.js';

let host: HostProcess;

const fixture = async (): Promise<{ value: string | null; changes: string[] }> => (await (await fetch(`${host.url}/fixture`)).json()) as never;
const requestState = async (headers: Record<string, string> = {}): Promise<{ remoteAddress: string; publicOrigin: string; rawUrl: string }> =>
  (await (await fetch(`${host.url}/fixture/request?a=%2F&b=%E4`, { headers })).json()) as never;

describe('settings while the server runs', () => {
  before(async () => {
    host = await startHost({ plugins: [FIXTURE_PLUGIN], settings: { 'fixture.value': 'one' } });
  });
  after(() => host.stop());

  it('hands the plugin the settings file’s values', async () => {
    assert.equal((await fixture()).value, 'one');
  });

  it('notices `mediahost settings set` and tells the plugin which keys changed', async () => {
    const r = await host.cli(['settings', 'set', 'fixture.value', 'two words']);
    assert.equal(r.code, 0, r.stderr);
    const state = await eventually(async () => {
      const s = await fixture();
      assert.equal(s.value, 'two words');
      return s;
    }, 3000);
    assert.ok(state.changes.includes('fixture.value'));
    assert.equal((await host.cli(['settings', 'get', 'fixture.value'])).stdout, 'two words\n');
    assert.match((await host.cli(['settings', 'list'])).stdout, /^fixture\.value=two words$/m);
  });

  it('notices an edit of the file by another program, escapes included', async () => {
    await appendFile(path.join(host.dataDir, 'settings.properties'), 'fixture.value = th\\u00e9ree \\\n    continued\n');
    await eventually(async () => assert.equal((await fixture()).value, 'théree continued'), 3000);
  });

  it('keeps the file’s comments and layout when the CLI changes it', async () => {
    const file = path.join(host.dataDir, 'settings.properties');
    await appendFile(file, '# written by hand\nmy.key   :   spaced\n');
    assert.equal((await host.cli(['settings', 'set', 'fixture.value', 'four'])).code, 0);
    const text = await readFile(file, 'utf8');
    assert.match(text, /^# written by hand\nmy\.key   :   spaced\n/m);
    assert.equal(text.match(/fixture\.value/g)?.length, 1, 'a repeated key is written once');
    assert.match(text, /^fixture\.value=four\n/m);
    assert.doesNotMatch(text, /th\\u00e9ree/, 'the old value, continuation line included, is replaced');
    await eventually(async () => assert.equal((await fixture()).value, 'four'), 3000);
  });

  it('reports the client address and origin, and honours proxy headers only with server.trustproxy=true', async () => {
    const proxyHeaders = { 'x-forwarded-for': '198.51.100.1, 203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'photos.example.org' };
    const direct = await requestState(proxyHeaders);
    assert.deepEqual(direct, { remoteAddress: '127.0.0.1', publicOrigin: host.url, rawUrl: '/fixture/request?a=%2F&b=%E4' });
    assert.equal((await host.cli(['settings', 'set', 'server.trustproxy', 'true'])).code, 0);
    await eventually(async () =>
      assert.deepEqual(await requestState(proxyHeaders), {
        remoteAddress: '203.0.113.7', // the entry the proxy added, not what the client claimed
        publicOrigin: 'https://photos.example.org',
        rawUrl: '/fixture/request?a=%2F&b=%E4',
      }),
    3000);
    assert.equal((await host.cli(['settings', 'unset', 'server.trustproxy'])).code, 0);
    await eventually(async () => assert.equal((await requestState(proxyHeaders)).remoteAddress, '127.0.0.1'), 3000);
  });
});
