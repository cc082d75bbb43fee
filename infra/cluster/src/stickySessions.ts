import type { IncomingMessage } from 'node:http';
import type { Upstream } from './upstreams.js';

/** `0{"sid":"…",…}` (Engine.IO v4) or `96:0{"sid":"…",…}` (v3): the open packet names the session. */
const sidPattern = /"sid":"([^"]{1,128})"/;
const sniffLimit = 4096;

/**
 * Engine.IO long-polling keeps a session in one process, so every request naming a `sid` (and the
 * websocket upgrade that ends polling) must reach the node that made it. The front door reads the
 * sid from the handshake response as it streams past, before the client can see it, and routes by
 * it afterwards. Unlike a cookie this is per session, not per browser, and works for any client.
 * Entries idle longer than `idleMs` go: a polling client asks at least every ping interval (25 s),
 * and a session that went quiet has been closed by the server anyway.
 */
export interface StickySessions {
  /** The node holding the session this request names, if any; refreshes the entry. */
  lookup(url: URL): Upstream | undefined;
  /** True for a polling handshake: a GET without sid whose response opens a session. */
  isHandshake(method: string | undefined, url: URL): boolean;
  /** Call before piping the handshake response: remembers its sid for `upstream`. */
  observeHandshake(upstream: Upstream, response: IncomingMessage): void;
  readonly size: number;
  close(): void;
}

export function createStickySessions(idleMs: number, now: () => number = Date.now): StickySessions {
  const sessions = new Map<string, { upstream: Upstream; expiresAt: number }>();
  const sweep = setInterval(() => {
    const time = now();
    for (const [sid, entry] of sessions) if (entry.expiresAt <= time) sessions.delete(sid);
  }, idleMs);
  sweep.unref();

  return {
    lookup(url) {
      const sid = url.searchParams.get('sid');
      const entry = sid === null ? undefined : sessions.get(sid);
      if (!entry) return undefined;
      entry.expiresAt = now() + idleMs;
      return entry.upstream;
    },
    isHandshake(method, url) {
      return method === 'GET' && !url.searchParams.has('sid') && url.searchParams.get('transport') === 'polling';
    },
    observeHandshake(upstream, response) {
      if (response.statusCode !== 200) return;
      let seen = '';
      const onData = (chunk: Buffer): void => {
        seen += chunk.toString('latin1');
        const sid = sidPattern.exec(seen)?.[1];
        if (sid !== undefined) sessions.set(sid, { upstream, expiresAt: now() + idleMs });
        if (sid !== undefined || seen.length > sniffLimit) response.off('data', onData);
      };
      response.on('data', onData);
    },
    get size() {
      return sessions.size;
    },
    close() {
      clearInterval(sweep);
      sessions.clear();
    },
  };
}
