import http, { type IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { deadUrl, echo, eventually, frontDoorFor, json, rawRequest, testScope, type Handler } from './frontDoor.testkit.js';

interface Echoed {
  node: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}
interface Problem {
  status: number;
  code: string;
  requestId: string;
}
interface Health {
  status: string;
  upstreams: Record<string, { url: string; up: boolean; active: number }[]>;
}

const { defer, upstream, door } = testScope();

/** `/api/slow*` waits for `release()`; everything else is echoed at once. */
function gated(): { handler: Handler; release(): void; readonly waiting: number } {
  const waiting: (() => void)[] = [];
  return {
    handler: (req, res, name) => {
      if (req.url?.startsWith('/api/slow')) waiting.push(() => echo(req, res, name));
      else echo(req, res, name);
    },
    release: () => waiting.splice(0).forEach((answer) => answer()),
    get waiting() {
      return waiting.length;
    },
  };
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('Front door', () => {
  describe('balancing /api by least connections', () => {
    it('sends requests to the node with fewer in flight while the other is busy', async () => {
      const gate = gated();
      const [a, b] = [await upstream('a', gate.handler), await upstream('b', gate.handler)];
      const front = await door({ api: [a.url, b.url], realtime: [a.url] });

      const slow = rawRequest(front.url, '/api/slow');
      await eventually(() => gate.waiting === 1, 'the slow request to arrive');
      const busy = a.seen.length === 1 ? 'a' : 'b';
      const nodes: string[] = [];
      for (let i = 0; i < 6; i++) nodes.push(json<Echoed>(await rawRequest(front.url, '/api/fast')).node);
      expect(nodes).toEqual(Array(6).fill(busy === 'a' ? 'b' : 'a'));

      gate.release();
      expect((await slow).status).toBe(200);
    });

    it('spreads concurrent slow requests evenly', async () => {
      const gate = gated();
      const [a, b] = [await upstream('a', gate.handler), await upstream('b', gate.handler)];
      const front = await door({ api: [a.url, b.url], realtime: [a.url] });

      const requests = Array.from({ length: 6 }, (_, i) => rawRequest(front.url, `/api/slow/${i}`));
      await eventually(() => gate.waiting === 6, 'six slow requests to arrive');
      expect([a.seen.length, b.seen.length]).toEqual([3, 3]);
      const health = json<Health>(await rawRequest(front.url, '/healthz'));
      expect(health.upstreams.api?.map((node) => node.active)).toEqual([3, 3]);

      gate.release();
      expect((await Promise.all(requests)).map((response) => response.status)).toEqual(Array(6).fill(200));
      await eventually(async () => json<Health>(await rawRequest(front.url, '/healthz')).upstreams.api?.every((node) => node.active === 0) ?? false, 'counts back at zero');
    });

    it('takes turns when the nodes are equally idle', async () => {
      const [a, b] = [await upstream('a'), await upstream('b')];
      const front = await door({ api: [a.url, b.url], realtime: [a.url] });
      const nodes: string[] = [];
      for (let i = 0; i < 4; i++) nodes.push(json<Echoed>(await rawRequest(front.url, '/api/v1/boards')).node);
      expect(nodes).toEqual(['a', 'b', 'a', 'b']);
    });
  });

  describe('when a node is down', () => {
    it('retries a refused request on another node and marks the refusing one down', async () => {
      const live = await upstream('live');
      const front = await door({ api: [await deadUrl(), live.url], realtime: [live.url] });
      for (let i = 0; i < 3; i++) {
        const response = await rawRequest(front.url, '/api/v1/boards');
        expect(response.status).toBe(200);
        expect(json<Echoed>(response).node).toBe('live');
      }
      const health = json<Health>(await rawRequest(front.url, '/healthz'));
      expect(health.upstreams.api?.map((node) => node.up)).toEqual([false, true]);
    });

    it('retries a POST whose connection was refused, body intact', async () => {
      const live = await upstream('live');
      const front = await door({ api: [await deadUrl(), live.url], realtime: [live.url] });
      const response = await rawRequest(front.url, '/api/v1/boards', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Roadmap"}' });
      expect(response.status).toBe(200);
      expect(json<Echoed>(response)).toMatchObject({ node: 'live', method: 'POST', body: '{"name":"Roadmap"}' });
    });

    it('does not replay a POST that reached a node which then failed', async () => {
      const crashing = await upstream('crashing', (req) => req.socket.destroy());
      const other = await upstream('other');
      const front = await door({ api: [crashing.url, other.url], realtime: [other.url] });
      const response = await rawRequest(front.url, '/api/v1/boards', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(502);
      expect(json<Problem>(response).code).toBe('UPSTREAM.UNAVAILABLE');
      expect([crashing.seen.length, other.seen.length]).toEqual([1, 0]);
    });

    it('replays a GET without a body that reached a node which then failed', async () => {
      const crashing = await upstream('crashing', (req) => req.socket.destroy());
      const other = await upstream('other');
      const front = await door({ api: [crashing.url, other.url], realtime: [other.url] });
      const response = await rawRequest(front.url, '/api/v1/boards');
      expect(response.status).toBe(200);
      expect(json<Echoed>(response).node).toBe('other');
      expect([crashing.seen.length, other.seen.length]).toEqual([1, 1]);
    });

    it('uses a node again once it accepts connections after the down period', async () => {
      const live = await upstream('live');
      const revivedUrl = await deadUrl();
      const front = await door({ api: [revivedUrl, live.url], realtime: [live.url], downForMs: 200 });
      expect(json<Echoed>(await rawRequest(front.url, '/api/x')).node).toBe('live');

      const revived = http.createServer((req, res) => echo(req, res, 'revived'));
      await new Promise<void>((resolve) => revived.listen(Number(new URL(revivedUrl).port), '127.0.0.1', resolve));
      defer(() => new Promise((resolve) => { revived.close(resolve); revived.closeAllConnections(); }));
      await new Promise((resolve) => setTimeout(resolve, 250));
      const nodes = new Set<string>();
      for (let i = 0; i < 4; i++) nodes.add(json<Echoed>(await rawRequest(front.url, '/api/x')).node);
      expect([...nodes].sort()).toEqual(['live', 'revived']);
    });

    it('answers 502 problem+json when no node is up', async () => {
      const front = await door({ api: [await deadUrl(), await deadUrl()], realtime: [await deadUrl()] });
      for (const method of ['GET', 'POST']) {
        const response = await rawRequest(front.url, '/api/v1/boards', { method, headers: { 'x-request-id': 'req-502' } });
        expect(response.status).toBe(502);
        expect(response.headers['content-type']).toBe('application/problem+json');
        expect(json<Problem>(response)).toMatchObject({ status: 502, code: 'UPSTREAM.UNAVAILABLE', requestId: 'req-502' });
      }
      const socketIo = await rawRequest(front.url, '/socket.io/?EIO=4&transport=polling');
      expect(socketIo.status).toBe(502);
    });

    it('answers 504 problem+json when a node does not answer in time', async () => {
      const silent = await upstream('silent', () => undefined);
      const front = await door({ api: [silent.url], realtime: [silent.url], upstreamTimeoutMs: 300 });
      const started = Date.now();
      const response = await rawRequest(front.url, '/api/v1/boards');
      expect(response.status).toBe(504);
      expect(json<Problem>(response).code).toBe('UPSTREAM.TIMEOUT');
      expect(Date.now() - started).toBeLessThan(3000);
    });
  });

  describe('passing requests on', () => {
    it('streams the request body instead of buffering it', async () => {
      let firstChunk!: () => void;
      const arrived = new Promise<void>((resolve) => (firstChunk = resolve));
      const streaming = await upstream('streaming', (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          firstChunk();
        });
        req.on('end', () => res.end(Buffer.concat(chunks)));
      });
      const front = await door({ api: [streaming.url], realtime: [streaming.url] });
      const target = new URL(front.url);
      const response = new Promise<string>((resolve, reject) => {
        const req = http.request({ host: target.hostname, port: target.port, path: '/api/upload', method: 'PUT', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.write('part one;');
        const timeout = new Promise<never>((_, fail) => setTimeout(() => fail(new Error('the first chunk never reached the node: the body was buffered')), 3000));
        Promise.race([arrived, timeout]).then(() => req.end('part two'), reject);
      });
      expect(await response).toBe('part one;part two');
    });

    it('sets X-Forwarded-* itself and passes a sane X-Request-Id', async () => {
      const node = await upstream('node');
      const front = await door({ api: [node.url], realtime: [node.url] });
      const response = await rawRequest(front.url, '/api/v1/me?x=1', { headers: { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-request-id': 'req-42' } });
      const seen = json<Echoed>(response);
      expect(seen.url).toBe('/api/v1/me?x=1');
      expect(seen.headers).toMatchObject({
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': new URL(front.url).host,
        host: new URL(front.url).host,
        'x-request-id': 'req-42',
      });
      expect(response.headers['x-request-id']).toBe('req-42');
    });

    it('makes a request id when there is none or it is not sane', async () => {
      const node = await upstream('node');
      const front = await door({ api: [node.url], realtime: [node.url] });
      for (const headers of [{}, { 'x-request-id': 'two words' }]) {
        const response = await rawRequest(front.url, '/api/v1/me', { headers });
        const sent = json<Echoed>(response).headers['x-request-id'];
        expect(sent).toMatch(uuid);
        expect(response.headers['x-request-id']).toBe(sent);
      }
    });

    it('strips hop-by-hop headers in both directions', async () => {
      const node = await upstream('node', (req, res) => {
        res.setHeader('x-node-hop', 'secret');
        res.setHeader('connection', 'x-node-hop');
        res.setHeader('x-end-to-end', 'kept');
        echo(req, res, 'node');
      });
      const front = await door({ api: [node.url], realtime: [node.url] });
      const response = await rawRequest(front.url, '/api/v1/me', {
        headers: { connection: 'keep-alive, x-client-hop', 'x-client-hop': '1', 'proxy-authorization': 'Basic Zm9vOmJhcg==', te: 'trailers', 'x-custom': 'kept' },
      });
      const { headers } = json<Echoed>(response);
      expect(headers['x-custom']).toBe('kept');
      expect(headers).not.toHaveProperty('x-client-hop');
      expect(headers).not.toHaveProperty('proxy-authorization');
      expect(headers).not.toHaveProperty('te');
      expect(response.headers['x-end-to-end']).toBe('kept');
      expect(response.headers).not.toHaveProperty('x-node-hop');
    });

    it('routes by the normalised path, so `..` cannot cross from one upstream family to another', async () => {
      const api = await upstream('api');
      const realtime = await upstream('realtime');
      const front = await door({ api: [api.url], realtime: [realtime.url] });
      const response = await rawRequest(front.url, '/socket.io/../api/v1/admin/users');
      expect(json<Echoed>(response)).toMatchObject({ node: 'api', url: '/api/v1/admin/users' });
    });
  });

  describe('health', () => {
    it('reports each node on /healthz and probes them on /readyz', async () => {
      const node = await upstream('node');
      const front = await door({ api: [node.url, await deadUrl()], realtime: [node.url] });
      const health = await rawRequest(front.url, '/healthz');
      expect(health.status).toBe(200);
      expect(json<Health>(health).upstreams.api).toHaveLength(2);
      const ready = await rawRequest(front.url, '/readyz');
      expect(ready.status).toBe(200);
      expect(json<Health>(ready).upstreams.api?.map((entry) => entry.up)).toEqual([true, false]);
      expect(node.seen).toHaveLength(0); // the front door answers these itself
    });

    it('is not ready when a whole family is down', async () => {
      const node = await upstream('node');
      const front = await door({ api: [node.url], realtime: [await deadUrl()] });
      const ready = await rawRequest(front.url, '/readyz');
      expect(ready.status).toBe(503);
      expect(json<Health>(ready)).toMatchObject({ status: 'unavailable' });
    });
  });

  describe('closing', () => {
    it('lets a request in flight finish, ends idle keep-alive connections and refuses new ones', async () => {
      const gate = gated();
      const node = await upstream('node', gate.handler);
      const front = await frontDoorFor({ api: [node.url], realtime: [node.url], closeGraceMs: 5000 });
      const agent = new http.Agent({ keepAlive: true });
      defer(async () => agent.destroy());
      const target = new URL(front.url);
      const get = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          http.get({ host: target.hostname, port: target.port, path, agent }, (res: IncomingMessage) => {
            let body = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          }).on('error', reject);
        });
      expect((await get('/api/fast')).status).toBe(200); // leaves an idle keep-alive connection
      const slow = get('/api/slow');
      await eventually(() => gate.waiting === 1, 'the slow request to arrive');

      const closing = front.close();
      await expect(rawRequest(front.url, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
      gate.release();
      expect((await slow).status).toBe(200);
      const started = Date.now();
      await closing;
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });
});
