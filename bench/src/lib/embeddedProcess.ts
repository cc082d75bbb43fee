import { spawn } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

export interface EmbeddedProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * The built product in embedded mode (`node server/dist/main.js`, PGlite in `dataDir`) as a
 * process of its own, as `npm start` runs it, so it does not share the benchmark's event loop.
 */
export async function startEmbeddedProcess(
  dataDir: string,
  env: Readonly<Record<string, string>> = {},
  nodeArgs: readonly string[] = [],
): Promise<EmbeddedProcess> {
  const child = spawn(process.execPath, [...nodeArgs, path.join(repoRoot, 'server/dist/main.js')], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dataDir, WEB_ROOT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`embedded server did not start:\n${output}`)), 60_000);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let started = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (started) return;
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.includes('is running'));
      const found = line === undefined ? undefined : (JSON.parse(line) as { url?: string }).url;
      if (found === undefined) return;
      clearTimeout(timer);
      started = true;
      resolve(found);
    });
    void exited.then(() => reject(new Error(`embedded server exited before starting:\n${output}`)));
  });
  return {
    url,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
