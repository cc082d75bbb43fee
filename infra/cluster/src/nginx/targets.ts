import path from 'node:path';
import type { NginxTarget } from './render.js';

/** What the container images share: nginx without root (pid and temporary files in /tmp), logs to the container's streams. */
const container = {
  listen: '8080',
  webRoot: '/usr/share/nginx/html',
  pidFile: '/tmp/nginx.pid',
  tempDir: '/tmp',
  errorLog: '/dev/stderr',
  accessLog: '/dev/stdout',
  mimeTypes: '/etc/nginx/mime.types',
  workerProcesses: 'auto',
  statusServer: null,
  apiReadTimeout: '30s',
  debugUpstreamHeader: false,
} as const;

/**
 * docker-compose.yml: the service names on Docker's DNS, re-resolved when a container restarts
 * with a new address (the web image is nginx 1.27, which has `server … resolve`).
 */
export const composeTarget: NginxTarget = {
  ...container,
  kind: 'compose',
  api: ['command-api-1:3000', 'command-api-2:3000'],
  realtime: ['realtime-1:3000', 'realtime-2:3000'],
  resolver: '127.0.0.11',
};

/**
 * Kubernetes: the Ingress sends everything to the web pods, whose nginx balances over the pods
 * behind the headless Services (one name resolving to every ready pod, followed as pods come and go).
 */
export const k8sTarget: NginxTarget = {
  ...container,
  kind: 'k8s',
  api: ['command-api-nodes.primetrade.svc.cluster.local:3000'],
  realtime: ['realtime-nodes.primetrade.svc.cluster.local:3000'],
  resolver: 'kube-dns.kube-system.svc.cluster.local',
};

/** The rendered files checked into the repository, and the target each comes from. */
export const deployConfigs = [
  { file: 'infra/nginx/nginx.compose.conf', target: composeTarget },
  { file: 'infra/nginx/nginx.k8s.conf', target: k8sTarget },
] as const;

export interface LocalTargetOptions {
  readonly port: number;
  readonly host: string;
  readonly api: readonly string[];
  readonly realtime: readonly string[];
  /** A directory nginx may write: pid, temporary files, the access log. */
  readonly prefix: string;
  readonly webRoot: string;
  readonly statusServer: string | null;
  /** Default 30 s (tests shorten it to see nginx's 504). */
  readonly apiReadTimeout?: string;
}

/**
 * The local cluster: fixed loopback ports (a restarted node keeps its port, so no resolver), the
 * machine's nginx (Debian 1.22), errors on stderr for the launcher, which node answered in a header.
 */
export function localTarget(options: LocalTargetOptions): NginxTarget {
  return {
    kind: 'local',
    listen: `${options.host}:${options.port}`,
    api: options.api,
    realtime: options.realtime,
    resolver: null,
    webRoot: options.webRoot,
    pidFile: path.join(options.prefix, 'nginx.pid'),
    tempDir: path.join(options.prefix, 'tmp'),
    errorLog: 'stderr',
    accessLog: path.join(options.prefix, 'access.log'),
    mimeTypes: '/etc/nginx/mime.types',
    workerProcesses: '2',
    statusServer: options.statusServer,
    apiReadTimeout: options.apiReadTimeout ?? '30s',
    debugUpstreamHeader: true,
  };
}
