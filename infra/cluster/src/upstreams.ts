/** One node behind the front door. `active` counts in-flight requests plus open upgraded sockets. */
export interface Upstream {
  readonly url: URL;
  /** Ready for `http.request` / `net.connect` (no IPv6 brackets, default port filled in). */
  readonly host: string;
  readonly port: number;
  readonly index: number;
  active: number;
  /** Epoch milliseconds until which the node is skipped; 0 when up. */
  downUntil: number;
}

export interface UpstreamState {
  readonly url: string;
  readonly up: boolean;
  readonly active: number;
}

export interface UpstreamPool {
  readonly name: string;
  readonly upstreams: readonly Upstream[];
  /**
   * The up node with the fewest active exchanges, skipping `exclude`; ties go round-robin so an idle
   * cluster still spreads its load. Undefined when no node is left.
   */
  pick(exclude?: ReadonlySet<Upstream>): Upstream | undefined;
  isUp(upstream: Upstream): boolean;
  /** Counts one exchange on `upstream`; the returned function ends it and is safe to call twice. */
  acquire(upstream: Upstream): () => void;
  markDown(upstream: Upstream): void;
  markUp(upstream: Upstream): void;
  state(): UpstreamState[];
}

/** Parses and checks base URLs up front: a typo must stop the cluster from starting, not 502 later. */
export function parseUpstreamUrls(name: string, urls: readonly string[]): URL[] {
  if (urls.length === 0) throw new Error(`front door: the ${name} upstream list is empty`);
  return urls.map((raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new Error(`front door: ${name} upstream "${raw}" is not a URL`);
    }
    if (url.protocol !== 'http:') throw new Error(`front door: ${name} upstream "${raw}" must be http://`);
    if (url.pathname !== '/' || url.search) throw new Error(`front door: ${name} upstream "${raw}" must be an origin without a path`);
    return url;
  });
}

export function createUpstreamPool(name: string, urls: readonly URL[], downForMs: number, now: () => number = Date.now): UpstreamPool {
  const upstreams: Upstream[] = urls.map((url, index) => ({
    url,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(url.port || 80),
    index,
    active: 0,
    downUntil: 0,
  }));
  let cursor = 0;
  const isUp = (upstream: Upstream): boolean => upstream.downUntil <= now();

  return {
    name,
    upstreams,
    pick(exclude) {
      let best: Upstream | undefined;
      for (let offset = 0; offset < upstreams.length; offset++) {
        const candidate = upstreams[(cursor + offset) % upstreams.length];
        if (!candidate || exclude?.has(candidate) || !isUp(candidate)) continue;
        if (!best || candidate.active < best.active) best = candidate;
      }
      if (best) cursor = (best.index + 1) % upstreams.length;
      return best;
    },
    isUp,
    acquire(upstream) {
      upstream.active++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        upstream.active--;
      };
    },
    markDown(upstream) {
      upstream.downUntil = now() + downForMs;
    },
    markUp(upstream) {
      upstream.downUntil = 0;
    },
    state() {
      return upstreams.map((upstream) => ({ url: upstream.url.origin, up: isUp(upstream), active: upstream.active }));
    },
  };
}
