import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { FrontDoor } from './frontDoor.js';
import { json, rawRequest, testScope } from './frontDoor.testkit.js';

const { defer, upstream, door } = testScope();

describe('Front door › static files', () => {
  const appJs = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;
  async function webRoot(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'front-door-'));
    defer(() => rm(dir, { recursive: true, force: true }));
    const web = join(dir, 'web');
    await mkdir(join(web, 'assets'), { recursive: true });
    await writeFile(join(web, 'index.html'), '<!doctype html><title>PrimeTrade</title>');
    await writeFile(join(web, 'assets', 'index-3f2a1b9c.js'), appJs);
    await writeFile(join(web, 'assets', 'index-77aa01.css'), 'body{margin:0}');
    await writeFile(join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(dir, 'secret.txt'), 'TOP SECRET');
    await symlink(join(dir, 'secret.txt'), join(web, 'leak.txt'));
    return web;
  }
  async function staticDoor(): Promise<FrontDoor> {
    const node = await upstream('node');
    return door({ api: [node.url], realtime: [node.url], webRoot: await webRoot() });
  }

  it('serves index.html with no-cache and hashed assets as immutable', async () => {
    const front = await staticDoor();
    const index = await rawRequest(front.url, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.text).toContain('<title>PrimeTrade</title>');

    const script = await rawRequest(front.url, '/assets/index-3f2a1b9c.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.text).toBe(appJs);
    expect((await rawRequest(front.url, '/assets/index-77aa01.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await rawRequest(front.url, '/favicon.svg')).headers['content-type']).toBe('image/svg+xml');
  });

  it('answers client-side routes with the app and missing assets with 404', async () => {
    const front = await staticDoor();
    const route = await rawRequest(front.url, '/boards/42', { headers: { accept: 'text/html,*/*' } });
    expect(route.status).toBe(200);
    expect(route.text).toContain('<title>PrimeTrade</title>');
    expect(route.headers['cache-control']).toBe('no-cache');
    const missing = await rawRequest(front.url, '/assets/index-gone.js', { headers: { accept: 'text/html,*/*' } });
    expect(missing.status).toBe(404);
    expect(json<{ code: string }>(missing).code).toBe('ROUTE.NOT_FOUND');
    expect((await rawRequest(front.url, '/metrics', { headers: { accept: 'text/html' } })).status).toBe(404);
  });

  it('refuses paths that leave the web root', async () => {
    const front = await staticDoor();
    for (const path of ['/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/leak.txt']) {
      const response = await rawRequest(front.url, path);
      expect(response.status, path).toBe(403);
      expect(response.text).not.toContain('TOP SECRET');
    }
    for (const path of ['/../secret.txt', '/assets/../../secret.txt']) {
      const response = await rawRequest(front.url, path);
      expect(response.status, path).toBe(404); // normalised to /secret.txt inside the root, where there is none
      expect(response.text).not.toContain('TOP SECRET');
    }
  });

  it('gzips text when the client accepts it, and answers 304 to a matching ETag', async () => {
    const front = await staticDoor();
    const zipped = await rawRequest(front.url, '/assets/index-3f2a1b9c.js', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(gunzipSync(zipped.body).toString('utf8')).toBe(appJs);

    const etag = zipped.headers.etag;
    expect(etag).toBeTruthy();
    const again = await rawRequest(front.url, '/assets/index-3f2a1b9c.js', { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(again.body).toHaveLength(0);
  });

  it('allows only GET and HEAD', async () => {
    const front = await staticDoor();
    const response = await rawRequest(front.url, '/', { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    const head = await rawRequest(front.url, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toHaveLength(0);
  });
});
