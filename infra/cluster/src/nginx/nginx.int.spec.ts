import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeNode, startTestNginx, type FakeNode, type Handler, type TestNginx } from './nginx.testkit.js';
import { findNginx } from './nginxProcess.js';
import { renderNginxConfig } from './render.js';
import { deployConfigs } from './targets.js';

/**
 * The real nginx (the machine's, as `npm run cluster` runs it) with the local target, in front of
 * stand-in nodes that say who they are: routing, board affinity, failover, errors, caching, gzip.
 * nginx missing fails here with the install hint (CI installs it).
 */
const taskBoards = new Map<string, string>();
let hang = false;

const apiHandler: Handler = (req, res, name) => {
  const lookup = /^\/api\/v1\/internal\/board-of-task\/([^/?]+)/.exec(req.url ?? '');
  if (lookup) {
    if (!req.headers.authorization) return void res.writeHead(401).end();
    const board = taskBoards.get(lookup[1] ?? '');
    return void res.writeHead(204, board ? { 'X-Board-Id': board } : {}).end();
  }
  if (req.url?.startsWith('/api/v1/hang') && hang) return; // never answers
  if (req.url?.endsWith('/busy')) {
    return void res
      .writeHead(503, { 'Content-Type': 'application/problem+json', 'Retry-After': '1' })
      .end(JSON.stringify({ status: 503, code: 'SERVICE.UNAVAILABLE', node: name }));
  }
  const body = JSON.stringify({
    node: name,
    url: req.url,
    headers: req.headers,
    padding: 'x'.repeat(req.url?.includes('big') ? 4000 : 0),
  });
  // Like the API, the node echoes the request id it was given.
  res
    .writeHead(200, { 'Content-Type': 'application/json', 'X-Request-Id': String(req.headers['x-request-id']) })
    .end(body);
};

describe('nginx in front of the nodes (local target)', () => {
  let web: string;
  let api: FakeNode[];
  let realtime: FakeNode;
  let nginx: TestNginx;
  const get = (url: string, headers: Record<string, string> = {}) =>
    fetch(`${nginx.url}${url}`, { headers: { authorization: 'Bearer t', ...headers } });
  const servedBy = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(`${nginx.url}${url}`, { ...init, headers: { authorization: 'Bearer t' } });
    expect(response.status, url).toBe(200);
    return ((await response.json()) as { node: string }).node;
  };

  beforeAll(async () => {
    web = await mkdtemp(path.join(tmpdir(), 'pt-web-'));
    await mkdir(path.join(web, 'assets'));
    await writeFile(path.join(web, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(path.join(web, 'assets', 'app-3f2a1b.js'), `console.log(${JSON.stringify('y'.repeat(5000))});`);
    // nginx runs as nobody: the web root must be readable by anyone, like a checkout's web/dist.
    for (const dir of [web, path.join(web, 'assets')]) await chmod(dir, 0o755);
    api = [await fakeNode('api-1', apiHandler), await fakeNode('api-2', apiHandler)];
    realtime = await fakeNode(
      'realtime-1',
      (_req, res) => res.writeHead(404).end(),
      (server) => {
        new Server(server, { transports: ['websocket'] }).on('connection', (socket) =>
          socket.emit('hello', 'realtime-1'),
        );
      },
    );
    for (const node of [...api, realtime]) await node.up();
    nginx = await startTestNginx({
      api: api.map((node) => node.address),
      realtime: [realtime.address],
      webRoot: web,
      statusServer: null,
      apiReadTimeout: '1s',
    });
  }, 30_000);

  afterAll(async () => {
    await nginx?.stop();
    for (const node of [...(api ?? []), realtime]) await node?.down();
    if (web) await rm(web, { recursive: true, force: true });
  });

  it('answers /healthz itself', async () => {
    const response = await fetch(`${nginx.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('sends every request of one board, task-only routes included, to one node, and spreads boards over both', async () => {
    const nodes = new Set<string>();
    for (let n = 0; n < 12; n += 1) {
      const board = randomUUID();
      const task = randomUUID();
      taskBoards.set(task, board);
      const served = new Set<string>();
      for (const url of [
        `/api/v1/boards/${board}`,
        `/api/v1/boards/${board}/tasks`,
        `/api/v1/tasks/${task}`,
        `/api/v1/tasks/${task}/comments`,
        `/api/v1/tasks/${task}/history`,
      ]) {
        served.add(await servedBy(url));
      }
      served.add(await servedBy(`/api/v1/tasks/${task}/move`, { method: 'POST' }));
      expect([...served], board).toHaveLength(1);
      nodes.add([...served][0]!);
    }
    expect([...nodes].sort()).toEqual(['api-1', 'api-2']);
  });

  it('hashes a task the node does not know on its own id, and still serves it when the lookup is refused', async () => {
    const task = randomUUID();
    const first = await servedBy(`/api/v1/tasks/${task}`);
    for (let n = 0; n < 5; n += 1) expect(await servedBy(`/api/v1/tasks/${task}/comments`)).toBe(first);
    // No token: the lookup answers 401; the request still reaches a node, which gives the real answer.
    const anonymous = await fetch(`${nginx.url}/api/v1/tasks/${task}`);
    expect(anonymous.status).toBe(200);
  });

  it("passes a node's own 503 through untouched, without moving the board off that node", async () => {
    const board = randomUUID();
    const owner = await servedBy(`/api/v1/boards/${board}`);
    for (let n = 0; n < 3; n += 1) {
      const busy = await get(`/api/v1/boards/${board}/busy`);
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(await busy.json()).toMatchObject({ code: 'SERVICE.UNAVAILABLE', node: owner });
    }
    expect(await servedBy(`/api/v1/boards/${board}`)).toBe(owner);
  });

  it('refuses /api/v1/internal/ from outside with problem+json 404', async () => {
    const id = randomUUID();
    const response = await get(`/api/v1/internal/board-of-task/${id}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, code: 'ROUTE.NOT_FOUND' });
    expect(api.flatMap((node) => node.seen).filter((line) => line.includes(id))).toEqual([]);
  });

  it('passes a sane X-Request-Id, sets X-Forwarded-*, drops a client traceparent', async () => {
    const response = await get('/api/v1/me', {
      'x-request-id': 'req-42',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      'x-forwarded-for': '6.6.6.6',
    });
    const body = (await response.json()) as { headers: Record<string, string> };
    expect(response.headers.get('x-request-id')).toBe('req-42');
    expect(body.headers['x-request-id']).toBe('req-42');
    expect(body.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(body.headers['x-forwarded-proto']).toBe('http');
    expect(body.headers.traceparent).toBeUndefined();
    const generated = await get('/api/v1/me', { 'x-request-id': 'bad id with spaces' });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gzips JSON and JavaScript', async () => {
    const apiAnswer = await get('/api/v1/me?big', { 'accept-encoding': 'gzip' });
    expect(apiAnswer.headers.get('content-encoding')).toBe('gzip');
    const script = await fetch(`${nginx.url}/assets/app-3f2a1b.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(script.headers.get('content-encoding')).toBe('gzip');
  });

  it('caches hashed assets for a year, revalidates index.html, falls back to it for client routes', async () => {
    const asset = await fetch(`${nginx.url}/assets/app-3f2a1b.js`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${nginx.url}/assets/missing-1.js`)).status).toBe(404);
    for (const url of ['/', '/boards/some-board']) {
      const page = await fetch(`${nginx.url}${url}`);
      expect(page.status, url).toBe(200);
      expect(page.headers.get('cache-control'), url).toBe('no-cache');
      expect(await page.text(), url).toContain('<title>app</title>');
    }
  });

  it('upgrades /socket.io to a websocket on a realtime node, and refuses long polling', async () => {
    const socket = io(nginx.url, { transports: ['websocket'], reconnection: false });
    try {
      expect(
        await new Promise((resolve, reject) => {
          socket.on('hello', resolve);
          socket.on('connect_error', reject);
        }),
      ).toBe('realtime-1');
    } finally {
      socket.close();
    }
    expect((await fetch(`${nginx.url}/socket.io/?EIO=4&transport=polling`)).status).toBe(400);
  });

  it('answers problem+json 504 when the API does not answer in time', async () => {
    hang = true;
    try {
      const response = await get('/api/v1/hang');
      expect(response.status).toBe(504);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await response.json()) as { status: number; code: string; requestId: string };
      expect(problem).toMatchObject({ status: 504, code: 'SERVICE.UNAVAILABLE' });
      expect(problem.requestId).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      hang = false;
    }
  });

  it("moves a dead node's boards to the other node, and back when it returns", async () => {
    const board = randomUUID();
    const task = randomUUID();
    taskBoards.set(task, board);
    const owner = await servedBy(`/api/v1/boards/${board}`);
    const ownerNode = api.find((node) => node.name === owner)!;
    await ownerNode.down();
    for (let n = 0; n < 5; n += 1) {
      expect(await servedBy(`/api/v1/boards/${board}/tasks`, { method: 'POST' })).not.toBe(owner);
      expect(await servedBy(`/api/v1/tasks/${task}`)).not.toBe(owner);
    }
    await ownerNode.up();
    // Passive health: nginx tries the node again once fail_timeout (5 s) has passed.
    const deadline = Date.now() + 15_000;
    let back = '';
    while (Date.now() < deadline && back !== owner) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      back = await servedBy(`/api/v1/boards/${board}`);
    }
    expect(back).toBe(owner);
    expect(await servedBy(`/api/v1/tasks/${task}/history`)).toBe(owner);
  }, 30_000);

  it('answers problem+json 502 when no API node is up, for board, task and other routes', async () => {
    for (const node of api) await node.down();
    try {
      for (const url of [`/api/v1/boards/${randomUUID()}`, `/api/v1/tasks/${randomUUID()}`, '/api/v1/me']) {
        const response = await get(url);
        expect(response.status, url).toBe(502);
        expect(response.headers.get('content-type'), url).toBe('application/problem+json');
        expect(await response.json(), url).toMatchObject({ status: 502, code: 'SERVICE.UNAVAILABLE' });
      }
    } finally {
      for (const node of api) await node.up();
    }
  });
});

describe('the compose and Kubernetes renderings', () => {
  it("pass `nginx -t` (with what Debian's 1.22 lacks swapped out: `resolve`, the resolver, the container paths, logs and names)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pt-nginx-t-'));
    try {
      for (const { file, target } of deployConfigs) {
        const local = renderNginxConfig(target)
          .replaceAll(' resolve ', ' ')
          .replace(/^\s*resolver [^\n]*\n/m, '')
          .replace(/server [\w.-]+:(\d+)/g, 'server 127.0.0.1:$1')
          .replaceAll('/tmp/nginx.pid', path.join(dir, 'nginx.pid'))
          .replace(/_temp_path \/tmp\//g, `_temp_path ${dir}/`)
          .replace(/\/dev\/(stdout|stderr)/g, `${dir}/$1.log`);
        expect(local, file).not.toMatch(/\bresolve\b/);
        const config = path.join(dir, path.basename(file));
        await writeFile(config, local);
        const result = spawnSync(findNginx(), ['-t', '-q', '-p', dir, '-c', config, '-e', 'stderr'], {
          encoding: 'utf8',
        });
        expect(result.stderr, file).toBe('');
        expect(result.status, file).toBe(0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
