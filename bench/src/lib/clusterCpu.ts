import type { Sql } from '@primetrade/platform';
import type { Cluster } from '../../../infra/cluster/dist/cluster.js';
import { pidsNamed, thisProcess, withChildren, type ProcessGroup } from './cpu.js';

/** PostgreSQL backends serving `databases` (the caller's own connection left out), asked anew at every sample. */
export function backendsOf(sql: Sql, databases: readonly string[]): () => Promise<number[]> {
  return async () =>
    (
      await sql.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()',
        [[...databases]],
      )
    ).map((row) => Number(row.pid));
}

/** The cluster's processes by service kind, plus PostgreSQL's backends of its databases, Kafka, Redis and us. */
export function clusterProcessGroups(
  cluster: Cluster,
  kafkaPid: number,
  backends: () => Promise<number[]>,
): ProcessGroup[] {
  const pidsOf = (services: readonly { pid(): number | undefined }[]) =>
    services.map((service) => service.pid()).filter((pid): pid is number => pid !== undefined);
  return [
    { name: 'command-api', pids: () => pidsOf(cluster.api) },
    { name: 'realtime', pids: () => pidsOf(cluster.realtime) },
    { name: 'relay', pids: () => pidsOf(cluster.relays) },
    { name: 'projector', pids: () => pidsOf(cluster.projectors) },
    { name: 'search', pids: () => pidsOf(cluster.search) },
    { name: 'nginx', pids: () => withChildren(pidsOf(cluster.proxy ? [cluster.proxy.service] : [])) },
    { name: 'postgresql (this run)', pids: backends },
    { name: 'kafka', pids: () => [kafkaPid] },
    // Shared with whatever else runs on the machine: an upper bound of this run's share.
    { name: 'redis (shared)', pids: () => pidsNamed('redis-server') },
    thisProcess,
  ];
}
