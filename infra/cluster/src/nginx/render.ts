/**
 * The one nginx configuration of the product (docs/adr/0015-nginx-front-door.md), rendered per
 * target: the local cluster (`npm run cluster`, the system tests), docker-compose.yml and
 * Kubernetes. Only what differs between them is a parameter; every routing rule is written once.
 */
export interface NginxTarget {
  /** Named in the file's header and in the debug header (local only). */
  readonly kind: 'local' | 'compose' | 'k8s';
  /** `port` or `address:port`. */
  readonly listen: string;
  /** `host:port` of every command-api node (or one DNS name resolving to all of them). */
  readonly api: readonly string[];
  readonly realtime: readonly string[];
  /** Re-resolve upstream names while running (`server … resolve`, nginx 1.27.3+), with this resolver. */
  readonly resolver: string | null;
  readonly webRoot: string;
  readonly pidFile: string;
  /** Directory for nginx's temporary files (request bodies, buffered responses). */
  readonly tempDir: string;
  readonly errorLog: string;
  readonly accessLog: string;
  readonly mimeTypes: string;
  readonly workerProcesses: string;
  /** `host:port` of the launcher's status server for `/readyz` and `/cluster/status` (local only). */
  readonly statusServer: string | null;
  /** How long nginx waits for an API answer before its own 504. */
  readonly apiReadTimeout: string;
  /** Adds `X-Upstream-Addr` to API answers, so tests can see which node served a request. */
  readonly debugUpstreamHeader: boolean;
}

const proxyHeaders = `
      proxy_set_header Host $host;
      proxy_set_header X-Request-Id $request_id_out;
      # Set, never appended: the API trusts these (TRUST_PROXY) for rate limits and logs.
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      # Traces start here: a client must not pick the trace id stored with every event, nor sampling.
      proxy_set_header traceparent "";
      proxy_set_header tracestate "";`;

const securityHeaders = `
      add_header X-Content-Type-Options "nosniff" always;
      add_header Referrer-Policy "no-referrer" always;
      add_header X-Frame-Options "DENY" always;
      add_header Content-Security-Policy "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'" always;`;

function servers(list: readonly string[], resolve: boolean): string {
  return list
    .map((server) => `    server ${server}${resolve ? ' resolve' : ''} max_fails=1 fail_timeout=5s;`)
    .join('\n');
}

/**
 * Idle connections to the API nodes are closed by nginx after this, well before the nodes close them
 * (API_KEEP_ALIVE_TIMEOUT_MS in command-api/src/http/server.ts): a POST sent on a connection the node
 * is closing would fail with 502 and is never resent.
 */
export const UPSTREAM_KEEPALIVE_TIMEOUT_S = 30;

function upstreams(target: NginxTarget): string {
  const resolve = target.resolver !== null;
  return `
  # Board affinity: every request of one board reaches one command-api node, so its per-board queue
  # and state cache hold cluster-wide. Consistent hashing moves only the dead node's boards.
  upstream command_api_board {
    zone command_api_board 64k;
    hash $board_key consistent;
${servers(target.api, resolve)}
    keepalive 32;
    keepalive_timeout ${UPSTREAM_KEEPALIVE_TIMEOUT_S}s;
  }

  # Requests that name no board (auth, lists across boards, /me, notifications, admin).
  upstream command_api {
    zone command_api 64k;
    least_conn;
${servers(target.api, resolve)}
    keepalive 32;
    keepalive_timeout ${UPSTREAM_KEEPALIVE_TIMEOUT_S}s;
  }

  # One long websocket per client (web/src/lib/socket.ts and the tests use the websocket transport
  # only), so least_conn spreads them. A long-polling client would need one node per session:
  # nginx refuses polling below instead of letting its requests land on different nodes.
  upstream realtime {
    zone realtime 64k;
    least_conn;
${servers(target.realtime, resolve)}
  }`;
}

function apiProxy(upstream: string, target: NginxTarget): string {
  return `
      proxy_pass http://${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";${proxyHeaders}
      proxy_connect_timeout 2s;
      proxy_read_timeout ${target.apiReadTimeout};
      # A refused connection is retried on the next node, whatever the method; a request that
      # reached a node is replayed only when idempotent (nginx never resends POST/PATCH/DELETE then).
      # Only connection errors and timeouts count against a node: its own 503 (read side down, a
      # consistency wait) is an answer, and must not move its boards to another node.
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 2;
      # The node echoes the id it was given; nginx's own header is the one the client gets, once.
      proxy_hide_header X-Request-Id;
      add_header X-Request-Id $request_id_out always;${target.debugUpstreamHeader ? '\n      add_header X-Upstream-Addr $upstream_addr always;' : ''}`;
}

function problem(name: string, status: number, title: string, detail: string): string {
  return `
    location = /_problem/${name} {
      internal;
      default_type application/problem+json;
      add_header Cache-Control "no-store" always;
      add_header X-Request-Id $request_id_out always;
      return ${status} '{"type":"urn:primetrade:problem:SERVICE.UNAVAILABLE","title":"${title}","status":${status},"code":"SERVICE.UNAVAILABLE","detail":"${detail}","requestId":"$request_id_out"}';
    }`;
}

function statusLocations(target: NginxTarget): string {
  if (target.statusServer === null) return '';
  return `
    # The launcher's supervisor answers: 200 when every service runs, 503 with the list otherwise.
    location = /readyz {
      access_log off;
      proxy_pass http://${target.statusServer}/readyz;
    }

    location = /cluster/status {
      access_log off;
      proxy_pass http://${target.statusServer}/status;
    }`;
}

function apiLocations(target: NginxTarget): string {
  return `
    # Nodes answer /api/v1/internal/ to nginx only (the task → board lookup below).
    location /api/v1/internal/ {
      default_type application/problem+json;
      return 404 '{"type":"urn:primetrade:problem:ROUTE.NOT_FOUND","title":"Not Found","status":404,"code":"ROUTE.NOT_FOUND","detail":"No such route","requestId":"$request_id_out"}';
    }

    location ~ ^/api/v1/boards/(?<board_id>[^/]+) {${apiProxy('command_api_board', target)}
    }

    # A task URL names no board: ask a node which board the task is on, then hash on that board.
    location ~ ^/api/v1/tasks/(?<task_id>[^/]+) {
      auth_request /_board_of_task;
      auth_request_set $task_board $upstream_http_x_board_id;
      # The lookup failing (a bad token: 401; no node: 5xx) must not answer for the API: the
      # request goes on, hashed on the task id, and the node gives the real answer.
      error_page 401 403 500 = @task_unresolved;
      error_page 502 503 = /_problem/unavailable;
      error_page 504 = /_problem/timeout;
      recursive_error_pages on;${apiProxy('command_api_board', target)}
    }

    location @task_unresolved {
      recursive_error_pages on;${apiProxy('command_api_board', target)}
    }

    location = /_board_of_task {
      internal;
      proxy_pass http://command_api/api/v1/internal/board-of-task/$task_id;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header Connection "";
      proxy_http_version 1.1;${proxyHeaders}
      proxy_connect_timeout 2s;
      proxy_read_timeout 5s;
    }

    location /api/ {${apiProxy('command_api', target)}
    }`;
}

function staticLocations(): string {
  return `
    # The built web client. Vite names everything under /assets/ by content hash, so a URL never
    # changes: browsers keep those a year. index.html and the rest are revalidated, so a deploy
    # reaches every browser on its next load. Client routes get index.html.
    location /assets/ {${securityHeaders}
      add_header Cache-Control "public, max-age=31536000, immutable" always;
      try_files $uri =404;
      access_log off;
    }

    location / {${securityHeaders}
      add_header Cache-Control "no-cache" always;
      try_files $uri $uri/ /index.html;
    }`;
}

/** A websocket path of the realtime nodes: Socket.IO's, and graphql-ws' for GraphQL subscriptions (docs/api.md). */
function socketLocation(location: string, why: string): string {
  return `
    location ${location} {
      # ${why}
      if ($http_upgrade = "") {
        return 400;
      }
      proxy_pass http://realtime;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";${proxyHeaders}
      proxy_connect_timeout 2s;
      # Longer than Socket.IO's ping interval + timeout (25 s + 20 s): an idle socket stays open.
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
      proxy_buffering off;
    }`;
}

export function renderNginxConfig(target: NginxTarget): string {
  return `# Rendered by infra/cluster/src/nginx/render.ts for the "${target.kind}" target: edit the renderer, not
# this file (\`npm run nginx:render\`; tests/nginx.render.unit.spec.ts fails when they differ).
worker_processes ${target.workerProcesses};
pid ${target.pidFile};
error_log ${target.errorLog} warn;

events {
  worker_connections 4096;
}

http {
  include ${target.mimeTypes};
  default_type application/octet-stream;
  client_body_temp_path ${target.tempDir}/client_body;
  proxy_temp_path ${target.tempDir}/proxy;
  fastcgi_temp_path ${target.tempDir}/fastcgi;
  uwsgi_temp_path ${target.tempDir}/uwsgi;
  scgi_temp_path ${target.tempDir}/scgi;
${target.resolver === null ? '' : `\n  # Follow a node that restarts with a new address.\n  resolver ${target.resolver} valid=10s ipv6=off;\n`}
  # One JSON line per request, with the request id the API logs too (never headers or bodies).
  log_format json escape=json '{"time":"$time_iso8601","requestId":"$request_id_out","remote":"$remote_addr",'
    '"method":"$request_method","uri":"$uri","status":$status,"bytes":$body_bytes_sent,'
    '"ms":"$request_time","upstream":"$upstream_addr","upstreamMs":"$upstream_response_time"}';
  access_log ${target.accessLog} json;

  # A sane incoming X-Request-Id is passed on (the API accepts the same shape); otherwise nginx's own.
  map $http_x_request_id $request_id_out {
    default $request_id;
    "~^[A-Za-z0-9._:-]{1,128}$" $http_x_request_id;
  }

  # The key of the board-affine upstream: the board in the URL, else the task's board, else the task.
  map "$board_id:$task_board:$task_id" $board_key {
    "~^(?<key>[^:]+):" $key;
    "~^:(?<key>[^:]+):" $key;
    "~^::(?<key>.+)$" $key;
    default "";
  }

  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65s;
  server_tokens off;
  gzip on;
  gzip_min_length 1024;
  gzip_vary on;
  gzip_proxied any;
  gzip_types text/css text/plain application/javascript text/javascript application/json application/problem+json application/manifest+json image/svg+xml;
${upstreams(target)}

  server {
    listen ${target.listen};
    server_name _;
    root ${target.webRoot};
    # The API refuses bodies over BODY_LIMIT with problem+json 413; nginx only stops the absurd.
    client_max_body_size 2m;

    # nginx's own failures, in the API's problem+json shape; the API's own 503s pass through.
    error_page 502 503 = /_problem/unavailable;
    error_page 504 = /_problem/timeout;
${problem('unavailable', 502, 'Bad Gateway', 'No API node answered, try again shortly')}
${problem('timeout', 504, 'Gateway Timeout', 'The API did not answer in time, try again shortly')}

    location = /healthz {
      access_log off;
      default_type application/json;
      return 200 '{"status":"ok"}';
    }
${statusLocations(target)}
${apiLocations(target)}
${socketLocation('/socket.io/', "Long polling would spread one session's requests over the nodes: websockets only.")}
${socketLocation('= /graphql-ws', 'GraphQL subscriptions (graphql-ws) on the realtime nodes; the protocol is websockets only.')}
${staticLocations()}
  }
}
`;
}
