import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Upstream, UpstreamPool } from './upstreams.js';

/** Where a family of paths goes, and what is special about it. */
export interface ProxyRoute {
  readonly pool: UpstreamPool;
  /** A node this request must reach while it is up (session stickiness). */
  readonly preferred?: (url: URL) => Upstream | undefined;
  /** Last changes to the headers sent upstream. */
  readonly prepare?: (req: IncomingMessage, url: URL, headers: OutgoingHttpHeaders) => void;
  /** Sees each upstream response before it is piped on. */
  readonly observe?: (req: IncomingMessage, url: URL, upstream: Upstream, response: IncomingMessage) => void;
}

/** The sticky node when it is up and untried, otherwise the least busy one. */
export function chooseUpstream(route: ProxyRoute, url: URL, tried: ReadonlySet<Upstream>): Upstream | undefined {
  const sticky = route.preferred?.(url);
  if (sticky && !tried.has(sticky) && route.pool.isUp(sticky)) return sticky;
  return route.pool.pick(tried);
}

/** The upstream did not answer within the front door's timeout. */
export class UpstreamTimeoutError extends Error {
  override readonly name = 'UpstreamTimeoutError';
}
