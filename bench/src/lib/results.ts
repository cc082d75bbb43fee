import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const resultsDir = path.resolve(import.meta.dirname, '../../results');

/** Writes `bench/results/<name>.json` with the machine context next to the figures. */
export async function saveResult(name: string, result: unknown): Promise<string> {
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  const context = {
    node: process.version,
    cpus: os.cpus().length,
    loadavg: os.loadavg(),
    at: new Date().toISOString(),
  };
  await writeFile(file, `${JSON.stringify({ context, ...(result as object) }, null, 2)}\n`);
  return file;
}

export const log = (line: string) => process.stdout.write(`${line}\n`);
