import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Upstream, UpstreamPool, UpstreamState } from './upstreams.js';

const probeTimeoutMs = 1000;

/** Accepting TCP connections is the same test the proxy applies when it marks a node down. */
function reachable(upstream: Upstream): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: upstream.host, port: upstream.port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(probeTimeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Probes every node now and records the result, so a recovered node is used again at once. */
async function probePool(pool: UpstreamPool): Promise<UpstreamState[]> {
  await Promise.all(
    pool.upstreams.map(async (upstream) => {
      if (await reachable(upstream)) pool.markUp(upstream);
      else pool.markDown(upstream);
    }),
  );
  return pool.state();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

/** Liveness of the front door itself, with what it currently believes about each node. */
export function answerHealth(res: ServerResponse, pools: readonly UpstreamPool[]): void {
  sendJson(res, 200, { status: 'ok', upstreams: Object.fromEntries(pools.map((pool) => [pool.name, pool.state()])) });
}

/** Ready when every pool has at least one node accepting connections right now. */
export async function answerReadiness(res: ServerResponse, pools: readonly UpstreamPool[]): Promise<void> {
  const states = await Promise.all(pools.map(async (pool) => [pool.name, await probePool(pool)] as const));
  const ready = states.every(([, nodes]) => nodes.some((node) => node.up));
  sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'unavailable', upstreams: Object.fromEntries(states) });
}
