import { describe, expect, it } from 'vitest';
import { renderNginxConfig } from '../infra/cluster/src/nginx/render.js';
import { deployConfigs, localTarget } from '../infra/cluster/src/nginx/targets.js';
import { nginxLocation, nginxUpstreams, readText } from './kit/deployFiles.js';
import { API_KEEP_ALIVE_TIMEOUT_MS, createApiServer } from '../command-api/src/http/server.js';
import Koa from 'koa';

/** The local cluster's target with placeholder addresses. */
const aLocalTarget = localTarget({
  port: 8080,
  host: '127.0.0.1',
  api: ['127.0.0.1:1'],
  realtime: ['127.0.0.1:2'],
  prefix: '/p',
  webRoot: '/w',
  statusServer: null,
});

describe('the nginx template', () => {
  it('is what compose and Kubernetes ship: the checked-in files equal the renderer (npm run nginx:render)', () => {
    for (const { file, target } of deployConfigs) expect(readText(file), file).toBe(renderNginxConfig(target));
  });

  it('re-resolves upstream names only where the image has `server … resolve` (nginx 1.27.3+), never locally (Debian 1.22)', () => {
    const local = renderNginxConfig(aLocalTarget);
    expect(local).not.toMatch(/\bresolve\b|resolver/);
    for (const { target } of deployConfigs) expect(renderNginxConfig(target)).toMatch(/server \S+ resolve /);
    expect(readText('infra/docker/Dockerfile')).toMatch(
      /ARG NGINX_IMAGE=nginxinc\/nginx-unprivileged:1\.(2[89]|[3-9]\d)-/,
    );
  });

  it('hashes board routes, and task routes by their board, over the same nodes the least-connections upstream uses', () => {
    for (const { target } of deployConfigs) {
      const config = renderNginxConfig(target);
      const upstreams = nginxUpstreams(config);
      const board = upstreams.find((upstream) => upstream.name === 'command_api_board');
      const rest = upstreams.find((upstream) => upstream.name === 'command_api');
      expect(board?.body).toMatch(/hash \$board_key consistent;/);
      expect(rest?.body).toMatch(/least_conn;/);
      expect(board?.servers).toEqual(rest?.servers);
      expect(config).toMatch(/location ~ \^\/api\/v1\/tasks\/[^\n]*\{\n\s*auth_request \/_board_of_task;/);
    }
  });

  it('sends /graphql-ws (GraphQL subscriptions) to the realtime nodes as a websocket, locally too', () => {
    for (const target of [aLocalTarget, ...deployConfigs.map((config) => config.target)]) {
      const graphqlWs = nginxLocation(renderNginxConfig(target), '= /graphql-ws') ?? '';
      expect(graphqlWs).toContain('proxy_pass http://realtime;');
      expect(graphqlWs).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
      expect(graphqlWs).toMatch(/if \(\$http_upgrade = ""\) \{\s*return 400;/);
    }
  });

  it('closes an idle connection to an API node before the node does (a POST on a closing one would fail with 502)', () => {
    const server = createApiServer(new Koa());
    expect(server.keepAliveTimeout).toBe(API_KEEP_ALIVE_TIMEOUT_MS);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    for (const target of [aLocalTarget, ...deployConfigs.map((config) => config.target)]) {
      const pooled = nginxUpstreams(renderNginxConfig(target)).filter((upstream) =>
        /\bkeepalive \d+;/.test(upstream.body),
      );
      expect(pooled.map((upstream) => upstream.name).sort()).toEqual(['command_api', 'command_api_board']);
      for (const upstream of pooled) {
        const seconds = Number(/keepalive_timeout (\d+)s;/.exec(upstream.body)?.[1]);
        expect(seconds * 1000, upstream.name).toBeLessThan(API_KEEP_ALIVE_TIMEOUT_MS / 2);
      }
    }
  });
});
