import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestPglite, loadConfig, type Sql } from '@primetrade/platform';
import { startEmbedded, type EmbeddedSystem } from '@primetrade/server';
import { buildWeb, Http, webRoot } from './board.kit.js';

export interface InProcessSystem {
  /** The system's database (PGlite in memory): the test may write to its store or read its tables. */
  readonly sql: Sql;
  readonly system: EmbeddedSystem;
  readonly http: Http;
  close(): Promise<void>;
}

/**
 * The real embedded system in this process, serving the built web client, with rate limits a
 * browser test does not run into; its data directory is a fresh temporary one, removed on close.
 */
export async function startInProcessSystem(name: string): Promise<InProcessSystem> {
  buildWeb();
  const sql = await createTestPglite();
  const dataDir = await mkdtemp(path.join(tmpdir(), `pt-${name}-`));
  const system = await startEmbedded({
    config: loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      WEB_ROOT: webRoot,
      RATE_LIMIT_API_PER_MINUTE: '1000000',
      RATE_LIMIT_REGISTER_PER_HOUR: '1000',
      RATE_LIMIT_LOGIN_PER_15_MINUTES: '1000',
      RATE_LIMIT_LOGIN_ACCOUNT_PER_15_MINUTES: '1000',
    }),
    sql,
  });
  return {
    sql,
    system,
    http: new Http(system.url),
    async close() {
      await system.close();
      await sql.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
