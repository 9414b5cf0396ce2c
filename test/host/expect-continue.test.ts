import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FIXTURE_PLUGIN, startHost, type HostProcess } from '../helpers/host-process.js';

let host: HostProcess;

/** A raw HTTP/1.1 connection: what a client like curl or Windows does with `Expect: 100-continue`, byte for byte. */
class Connection {
  private readonly socket: net.Socket;
  private received = '';
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    this.socket.on('data', (d: string) => {
      this.received += d;
      this.notify();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    this.socket.on('error', () => undefined);
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Everything received so far, once `done(received)` holds. */
  until(done: (received: string, closed: boolean) => boolean, what: string, ms = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (done(this.received, this.closed)) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(this.received);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; received so far:\n${this.received}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves when the server closes the connection. */
  closedByServer(ms = 5000): Promise<string> {
    return this.until((_, closed) => closed, 'the server to close the connection', ms);
  }

  /** The text of the next complete response (headers + Content-Length body) from `from` on. */
  async response(from = 0): Promise<string> {
    const text = await this.until((r) => {
      const rest = r.slice(from);
      const end = rest.indexOf('\r\n\r\n');
      if (end < 0) return false;
      if (/^HTTP\/1\.1 1\d\d/.test(rest)) return true;
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(rest.slice(0, end))?.[1] ?? 0);
      return rest.length >= end + 4 + length;
    }, 'a response');
    return text.slice(from);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}

describe('Expect: 100-continue', () => {
  before(async () => {
    host = await startHost({ plugins: [FIXTURE_PLUGIN] });
  });
  after(() => host.stop());

  it('sends no 100 for a refused upload, answers at once and closes the connection', async () => {
    const c = new Connection(host.port);
    try {
      c.send(
        'PUT /fixture/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000000\r\nExpect: 100-continue\r\nX-Refuse: yes\r\n\r\n',
      );
      const text = await c.closedByServer();
      assert.match(text, /^HTTP\/1\.1 403 Forbidden\r\n/);
      assert.doesNotMatch(text, /100 Continue/);
      assert.match(text, /\r\nConnection: close\r\n/i);
      assert.match(text, /\r\n\r\nrefused$/);
    } finally {
      c.destroy();
    }
  });

  it('sends 100 when the plugin accepts, then keeps the connection for the next request', async () => {
    const c = new Connection(host.port);
    try {
      c.send('PUT /fixture/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
      assert.equal(await c.response(), 'HTTP/1.1 100 Continue\r\n\r\n');
      c.send('hello');
      const answer = (await c.response('HTTP/1.1 100 Continue\r\n\r\n'.length)).toLowerCase();
      assert.match(answer, /^http\/1\.1 200 ok\r\n/);
      assert.match(answer, /\r\nconnection: keep-alive\r\n/);
      assert.match(answer, /"bytes":5/);
      const before = (await c.until(() => true, 'nothing')).length;
      c.send('GET /fixture HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.match(await c.response(before), /^HTTP\/1\.1 200 OK\r\n/);
    } finally {
      c.destroy();
    }
  });

  it('closes the connection when nobody answers the request (404) or the host refuses it (401)', async () => {
    for (const head of [
      'PUT /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n',
      'POST /api/host/plugins/fixture HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 17\r\nExpect: 100-continue\r\n\r\n',
    ]) {
      const c = new Connection(host.port);
      try {
        c.send(head);
        const text = await c.closedByServer();
        assert.match(text, /^HTTP\/1\.1 40[14] /, head);
        assert.doesNotMatch(text, /100 Continue/);
        assert.match(text, /\r\nConnection: close\r\n/i);
      } finally {
        c.destroy();
      }
    }
  });

  it('sends 100 for the host’s own forms before reading them', async () => {
    const c = new Connection(host.port);
    try {
      const body = 'name=admin&password=wrong';
      c.send(
        `POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
      );
      assert.equal(await c.response(), 'HTTP/1.1 100 Continue\r\n\r\n');
      c.send(body);
      assert.match(await c.response('HTTP/1.1 100 Continue\r\n\r\n'.length), /^HTTP\/1\.1 401 Unauthorized\r\n/);
    } finally {
      c.destroy();
    }
  });

  it('never sends a 100 to a request that did not ask for one', async () => {
    const c = new Connection(host.port);
    try {
      c.send('PUT /fixture/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
      const text = await c.response();
      assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(text, /"bytes":3/);
    } finally {
      c.destroy();
    }
  });
});
