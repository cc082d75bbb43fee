import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unusedPort } from '@primetrade/platform';
import { startService, type ServiceProcess } from '../supervisor.js';
import { prepareNginx } from './nginxProcess.js';
import { localTarget, type LocalTargetOptions } from './targets.js';

/** A stand-in node on a fixed port that can go down and come back (as a restarted node does). */
export interface FakeNode {
  readonly name: string;
  readonly address: string;
  readonly seen: string[];
  up(): Promise<void>;
  down(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, name: string) => void;

export async function fakeNode(
  name: string,
  handler: Handler,
  attach?: (server: http.Server) => void,
): Promise<FakeNode> {
  const port = await unusedPort();
  const seen: string[] = [];
  let server: http.Server | null = null;
  return {
    name,
    address: `127.0.0.1:${port}`,
    seen,
    async up() {
      const created = http.createServer((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        handler(req, res, name);
      });
      attach?.(created);
      await new Promise<void>((resolve) => created.listen(port, '127.0.0.1', resolve));
      server = created;
    },
    async down() {
      const closing = server;
      server = null;
      if (!closing) return;
      await new Promise<void>((resolve) => {
        closing.close(() => resolve());
        closing.closeAllConnections();
      });
    },
  };
}

export interface TestNginx {
  readonly url: string;
  readonly service: ServiceProcess;
  stop(): Promise<void>;
}

/** The machine's nginx with the local target over the given nodes, in a temporary directory, on a free port. */
export async function startTestNginx(
  options: Omit<LocalTargetOptions, 'port' | 'host' | 'prefix' | 'webRoot'> & { webRoot: string },
): Promise<TestNginx> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pt-nginx-test-'));
  const port = await unusedPort();
  const target = localTarget({ ...options, port, host: '127.0.0.1', prefix: dir });
  const service = await startService(await prepareNginx(target, dir), { supervise: false, timeoutMs: 10_000 });
  return {
    url: `http://127.0.0.1:${port}`,
    service,
    async stop() {
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
