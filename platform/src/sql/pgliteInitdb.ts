import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The child's whole program: PGlite's own first start on `dataDir` (initdb into it), then a clean close.
 * Plain CommonJS, so it runs the same whether this module was loaded from source (tests) or from dist.
 */
const initdbProgram = `
const { PGlite } = require(process.argv[1]);
PGlite.create({ dataDir: process.argv[2] })
  .then((db) => db.close())
  .catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Creates the database cluster in `dataDir` if it has none yet, in a child process. PGlite runs initdb in
 * a second WebAssembly instance of its own; in this process that instance and its memory stay resident
 * until a full garbage collection, which an idle server never gets (docs/operations.md "Memory").
 * In a child they end with it, and the server opens the directory as on any later start.
 */
export async function initializePgliteDataDir(dataDir: string): Promise<void> {
  if (await exists(path.join(dataDir, 'PG_VERSION'))) return;
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const child = spawn(process.execPath, ['-e', initdbProgram, pglite, dataDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`PGlite could not initialize ${dataDir} (exit ${code}): ${stderr.trim()}`);
}
