import type { Cluster } from '../../../infra/cluster/dist/cluster.js';

/**
 * The cluster's single entry point (web client, `/api`, `/socket.io`), as a browser reaches it:
 * the one line to change when the proxy in front of the cluster changes.
 */
export function entryPoint(cluster: Cluster): string {
  if (cluster.proxy === null) throw new Error('the cluster was started without its entry point');
  return cluster.proxy.url;
}
