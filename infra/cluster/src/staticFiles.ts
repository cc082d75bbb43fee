import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { sendProblem, type ProblemContext } from './problem.js';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};
const compressible = /^(text\/|application\/(json|manifest\+json|javascript)|image\/svg\+xml)/;
/** Below this, gzip framing costs more than it saves. */
const gzipMinBytes = 1024;

/** Vite puts content-hashed files here: a given URL never changes, so browsers keep it for a year. */
const assetsPrefix = '/assets/';
const immutable = 'public, max-age=31536000, immutable';

export type StaticFiles = (req: IncomingMessage, res: ServerResponse, url: URL, context: ProblemContext) => Promise<void>;

const isInside = (root: string, path: string): boolean => path === root || path.startsWith(root + sep);

/** A client-side route (`/boards/42`), not a file that is missing: answered with the app. */
const isNavigation = (req: IncomingMessage, path: string): boolean =>
  !path.startsWith(assetsPrefix) && ((req.headers.accept ?? '').includes('text/html') || extname(path) === '');

async function fileAt(path: string): Promise<{ path: string; stats: Stats } | undefined> {
  try {
    const stats = await stat(path);
    if (stats.isFile()) return { path, stats };
    if (stats.isDirectory()) return await fileAt(join(path, 'index.html'));
  } catch {
    // missing or unreadable: not found
  }
  return undefined;
}

/**
 * The built web app (DESIGN §1, cluster mode): its files, `index.html` for client-side routes, and
 * nothing outside `webRoot` — the decoded path must stay inside it, and so must its real path (a
 * symlink may not lead out).
 */
export function createStaticFiles(webRoot: string): StaticFiles {
  const root = resolve(webRoot);
  let realRoot: string | undefined;

  return async (req, res, url, context) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendProblem(res, 'METHOD.NOT_ALLOWED', `${req.method} is not allowed here`, context, { Allow: 'GET, HEAD' });
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      sendProblem(res, 'VALIDATION.FAILED', 'The path is not valid percent-encoding', context);
      return;
    }
    const target = resolve(root, `.${path}`);
    if (path.includes('\0') || !isInside(root, target)) {
      sendProblem(res, 'PATH.FORBIDDEN', 'The path leaves the web root', context);
      return;
    }
    let file = await fileAt(target);
    let cacheControl = path.startsWith(assetsPrefix) ? immutable : 'no-cache';
    if (!file && isNavigation(req, path)) {
      file = await fileAt(join(root, 'index.html'));
      cacheControl = 'no-cache';
    }
    if (!file) {
      sendProblem(res, 'ROUTE.NOT_FOUND', `No file at ${url.pathname}`, context);
      return;
    }
    realRoot ??= await realpath(root);
    if (!isInside(realRoot, await realpath(file.path))) {
      sendProblem(res, 'PATH.FORBIDDEN', 'The path leaves the web root', context);
      return;
    }
    await sendFile(req, res, file, cacheControl);
  };
}

async function sendFile(req: IncomingMessage, res: ServerResponse, file: { path: string; stats: Stats }, cacheControl: string): Promise<void> {
  const { stats } = file;
  const type = contentTypes[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  const headers: OutgoingHttpHeaders = {
    'Content-Type': type,
    'Cache-Control': cacheControl,
    ETag: etag,
    'Last-Modified': stats.mtime.toUTCString(),
    'X-Content-Type-Options': 'nosniff',
  };
  const gzippable = compressible.test(type) && stats.size >= gzipMinBytes;
  if (gzippable) headers.Vary = 'Accept-Encoding';

  const ifNoneMatch = req.headers['if-none-match'];
  const ifModifiedSince = req.headers['if-modified-since'];
  const fresh = ifNoneMatch !== undefined
    ? ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')
    : ifModifiedSince !== undefined && Math.floor(stats.mtimeMs / 1000) <= Math.floor(Date.parse(ifModifiedSince) / 1000);
  if (fresh) {
    res.writeHead(304, headers);
    res.end();
    return;
  }

  const gzip = gzippable && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  if (gzip) headers['Content-Encoding'] = 'gzip';
  else headers['Content-Length'] = stats.size;
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  try {
    await (gzip ? pipeline(createReadStream(file.path), createGzip(), res) : pipeline(createReadStream(file.path), res));
  } catch {
    res.destroy(); // the client went away, or the file vanished mid-read (a redeploy)
  }
}
