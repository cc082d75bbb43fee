import { describe, expect, it } from 'vitest';
import { createUpstreamPool, parseUpstreamUrls } from './upstreams.js';

const urls = parseUpstreamUrls('api', ['http://127.0.0.1:4001', 'http://127.0.0.1:4002', 'http://[::1]:4003']);

describe('Upstream pool', () => {
  it('picks the node with the fewest active exchanges', () => {
    const pool = createUpstreamPool('api', urls, 1000);
    const [a, b, c] = pool.upstreams;
    a!.active = 2;
    b!.active = 0;
    c!.active = 1;
    expect(pool.pick()).toBe(b);
  });

  it('takes turns among equally busy nodes', () => {
    const pool = createUpstreamPool('api', urls, 1000);
    expect([pool.pick(), pool.pick(), pool.pick(), pool.pick()].map((node) => node?.index)).toEqual([0, 1, 2, 0]);
  });

  it('skips excluded nodes and nodes marked down until the down period ends', () => {
    let now = 0;
    const pool = createUpstreamPool('api', urls, 1000, () => now);
    const [a, b, c] = pool.upstreams;
    pool.markDown(a!);
    expect(pool.pick(new Set([b!]))).toBe(c);
    expect(pool.pick(new Set([b!, c!]))).toBeUndefined();
    now = 1000;
    expect(pool.pick(new Set([b!, c!]))).toBe(a);
  });

  it('counts an exchange once however often it is released', () => {
    const pool = createUpstreamPool('api', urls, 1000);
    const release = pool.acquire(pool.upstreams[0]!);
    expect(pool.state()[0]).toEqual({ url: 'http://127.0.0.1:4001', up: true, active: 1 });
    release();
    release();
    expect(pool.upstreams[0]?.active).toBe(0);
  });

  it('connects to IPv6 literals without brackets', () => {
    const pool = createUpstreamPool('api', urls, 1000);
    expect(pool.upstreams[2]).toMatchObject({ host: '::1', port: 4003 });
  });
});

describe('Upstream URLs', () => {
  it.each([
    [[], /api upstream list is empty/],
    [['127.0.0.1:4001'], /is not a URL/],
    [['not a url'], /is not a URL/],
    [['https://127.0.0.1:4001'], /must be http:\/\//],
    [['http://127.0.0.1:4001/api'], /must be an origin without a path/],
  ])('refuses %j with a clear message', (input, message) => {
    expect(() => parseUpstreamUrls('api', input)).toThrow(message);
  });
});
