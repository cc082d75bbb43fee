import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { Middleware } from 'koa';
import serve from 'koa-static';

/** Paths that are never the SPA: an unknown API or ops URL must stay a 404 problem. */
const notSpa = /^\/(api|healthz|readyz|metrics|socket\.io)(\/|$)/;

// A browser navigation, not a fetch of a missing asset that accepts anything.
const wantsHtml = (accept: string): boolean => accept.includes('text/html');

/**
 * The built web app: its files, then `index.html` for any other GET that wants HTML, so client-side
 * routes survive a reload. Vite's hashed `/assets/*` never change, so browsers may keep them.
 */
export function webStatic(webRoot: string): Middleware[] {
  const assetsDir = join(webRoot, 'assets') + sep;
  const files = serve(webRoot, {
    index: 'index.html',
    setHeaders: (res, path) => {
      const immutable = path.startsWith(assetsDir);
      res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const indexFile = join(webRoot, 'index.html');
  const spaFallback: Middleware = async (ctx, next) => {
    await next();
    if (ctx.body !== undefined || ctx.status !== 404) return;
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || notSpa.test(ctx.path) || !wantsHtml(ctx.get('Accept')))
      return;
    try {
      ctx.body = await readFile(indexFile);
    } catch {
      return; // no build yet: the problem middleware answers 404
    }
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-cache');
  };
  return [files, spaFallback];
}
