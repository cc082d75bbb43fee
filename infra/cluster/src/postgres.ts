import { tmpdir } from 'node:os';
import path from 'node:path';
import { startPostgresPair } from '@primetrade/platform';
import { reachableByNginx } from './nginx/nginxProcess.js';

export interface ClusterPostgres {
  /** The primary: read models, accounts, the event store. */
  readonly databaseUrl: string;
  /** Streaming replicas the API nodes read from (READ_DATABASE_URLS); empty on the machine's server. */
  readonly readDatabaseUrls: readonly string[];
  /** Stops the servers this started (none on the machine's server). */
  stop(): Promise<void>;
}

/**
 * The cluster's PostgreSQL (docs/cluster.md, docs/adr/0029-read-replicas.md): with
 * `CLUSTER_DATABASE_URL` that server, as it is; otherwise a primary of the cluster's own and one
 * streaming replica of it, in `<dataDir>/postgres` (kept across runs), on `CLUSTER_PG_PORT` (25432)
 * and the port after it. A replica needs a primary we may configure and restart, which the
 * machine's shared server is not.
 */
export async function startClusterPostgres(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  say: (message: string) => void,
): Promise<ClusterPostgres> {
  if (env.CLUSTER_DATABASE_URL) {
    return { databaseUrl: env.CLUSTER_DATABASE_URL, readDatabaseUrls: [], stop: async () => undefined };
  }
  // PostgreSQL runs as the `postgres` account when we are root: its directory must be reachable by it.
  const wanted = path.join(dataDir, 'postgres');
  const dir = reachableByNginx(wanted) ? wanted : path.join(tmpdir(), 'primetrade-cluster-postgres');
  const primaryPort = Number(env.CLUSTER_PG_PORT ?? 25432);
  say(`starting PostgreSQL: primary on ${primaryPort}, streaming replica on ${primaryPort + 1} (${dir})…`);
  const pair = await startPostgresPair({ dir, primaryPort, replicaPort: primaryPort + 1 });
  return {
    databaseUrl: pair.primaryUrl('primetrade'),
    readDatabaseUrls: [pair.replicaUrl('primetrade')],
    stop: () => pair.stop(),
  };
}
