import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPostgresPair, type PostgresPair } from '../process/postgresPair.js';
import { unusedPort } from './redis.testkit.js';

export interface TestPostgresPair extends PostgresPair {
  /** Stops both servers (by their pids) and removes the temporary directory. */
  remove(): Promise<void>;
}

/** A primary and a streaming replica of it, of the test's own, in a fresh temporary directory (docs/testing.md). */
export async function createTestPostgresPair(): Promise<TestPostgresPair> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pt-pgpair-'));
  try {
    const pair = await startPostgresPair({
      dir,
      primaryPort: await unusedPort(),
      replicaPort: await unusedPort(),
      ephemeral: true,
    });
    return {
      ...pair,
      async remove() {
        await pair.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
