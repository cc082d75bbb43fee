import { describe, expect, it } from 'vitest';
import { configSchema } from '@primetrade/platform';
import {
  dockerStages,
  interpolate,
  listenPort,
  loadCompose,
  loadConfig,
  loadRawCompose,
  nginxLocation,
  nginxUpstreams,
  parseEnvFile,
  portVariableOf,
  readText,
  roleOf,
  stringEnv,
  type ComposeService,
  type Role,
} from './kit/deployFiles.js';

const compose = loadCompose();
const services = Object.entries(compose.services);
const appServices = services.flatMap(([name, service]) => {
  const role = roleOf(service.command);
  return role ? [{ name, role, service, env: stringEnv(service.environment) }] : [];
});
const servicesOf = (role: Role) => appServices.filter((app) => app.role === role);
const schemaKeys = new Set(Object.keys(configSchema.shape));
const dockerfile = readText('infra/docker/Dockerfile');
const nginxConf = readText('infra/nginx/nginx.compose.conf');

describe('docker-compose.yml', () => {
  describe('interpolation', () => {
    it('refuses to start without a required secret', () => {
      const env = parseEnvFile(readText('.env.example'));
      for (const name of ['POSTGRES_PASSWORD', 'REDIS_PASSWORD', 'JWT_SECRET']) {
        expect(() => loadCompose({ ...env, [name]: '' }), name).toThrow(new RegExp(name));
      }
    });

    it('reads defaults, required values and literal dollars the way compose does', () => {
      expect(interpolate('a ${X:-d} ${Y-e} $$HOME ${Z:?need Z}', { Z: 'z', Y: '' })).toBe('a d  $HOME z');
    });
  });

  describe('services', () => {
    it('runs the data services and every role of the cluster, each with an image or a build', () => {
      expect(Object.keys(compose.services)).toEqual(
        expect.arrayContaining(['postgres', 'redis', 'kafka', 'eventstore', 'opensearch', 'nginx']),
      );
      expect(servicesOf('search')).toHaveLength(1);
      expect(servicesOf('relay')).toHaveLength(2);
      expect(servicesOf('projector').length).toBeGreaterThanOrEqual(1);
      expect(servicesOf('command-api')).toHaveLength(2);
      expect(servicesOf('realtime')).toHaveLength(2);
      for (const [name, service] of services) expect(service.image ?? service.build, name).toBeTruthy();
    });

    it('gives every service a health check', () => {
      for (const [name, service] of services) expect(service.healthcheck?.test.length, name).toBeGreaterThan(0);
    });

    it('builds only targets the Dockerfile has', () => {
      const stages = new Set(dockerStages(dockerfile).map((stage) => stage.name));
      for (const [name, service] of services.filter(([, one]) => one.build)) {
        expect(service.build?.dockerfile, name).toBe('infra/docker/Dockerfile');
        expect(stages.has(service.build?.target ?? ''), `${name} → ${service.build?.target}`).toBe(true);
      }
    });

    it('starts dependencies first: health-checked services, the projector (migrations, topic) before the entry nodes, the leading relay before the standby', () => {
      for (const [name, service] of services) {
        for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
          expect(compose.services[dependency], `${name} → ${dependency}`).toBeDefined();
          expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
        }
      }
      for (const app of [
        ...servicesOf('command-api'),
        ...servicesOf('realtime'),
        ...servicesOf('relay'),
        ...servicesOf('search'),
      ]) {
        const chain = dependencyClosure(app.name);
        expect(chain.has('projector'), app.name).toBe(true);
      }
      const [leader, standby] = servicesOf('relay');
      expect(Object.keys(standby?.service.depends_on ?? {})).toContain(leader?.name);
    });
  });

  describe('app services', () => {
    it('set only variables the config schema knows', () => {
      for (const app of appServices) {
        const unknown = Object.keys(app.env).filter((key) => !schemaKeys.has(key));
        expect(unknown, app.name).toEqual([]);
      }
    });

    it('set every variable cluster mode requires, with valid values', () => {
      for (const app of appServices) {
        const config = loadConfig(app.env);
        expect(config.MODE, app.name).toBe('cluster');
        expect(config.HOST, `${app.name} must listen beyond the container`).toBe('0.0.0.0');
      }
    });

    it('probe readiness on the port each role listens on', () => {
      for (const app of appServices) {
        const [, , script, portVariable, path] = app.service.healthcheck?.test ?? [];
        expect(script, app.name).toBe('infra/docker/healthcheck.mjs');
        expect(portVariable, app.name).toBe(portVariableOf(app.role));
        expect(path, app.name).toBe('/readyz');
      }
    });

    it('point every service at the OpenSearch service for search, and start the search consumer after it', () => {
      for (const app of appServices) expect(loadConfig(app.env).SEARCH_URL, app.name).toBe('http://opensearch:9200');
      for (const search of servicesOf('search'))
        expect(search.service.depends_on?.opensearch?.condition, search.name).toBe('service_healthy');
    });

    it('name each node for leases and logs', () => {
      const names = appServices.map((app) => app.env.NODE_NAME);
      expect(new Set(names).size).toBe(appServices.length);
    });
  });

  describe('nginx in front (infra/nginx/nginx.compose.conf, rendered from the template)', () => {
    const upstreams = nginxUpstreams(nginxConf);
    const upstream = (name: string) => upstreams.find((one) => one.name === name);
    const expected = (role: Role) =>
      servicesOf(role).map((app) => ({ host: app.name, port: listenPort(role, loadConfig(app.env)) }));

    it('hashes board requests and balances the rest over every command-api service, /socket.io over every realtime service, on their ports', () => {
      expect(upstream('command_api_board')?.body).toMatch(/hash \$board_key consistent;/);
      expect(upstream('command_api')?.body).toMatch(/least_conn;/);
      expect(upstream('realtime')?.body).toMatch(/least_conn;/);
      expect(upstream('command_api_board')?.servers).toEqual(expected('command-api'));
      expect(upstream('command_api')?.servers).toEqual(expected('command-api'));
      expect(upstream('realtime')?.servers).toEqual(expected('realtime'));
      expect(nginxLocation(nginxConf, '/api/')).toContain('proxy_pass http://command_api;');
      expect(nginxLocation(nginxConf, '~ ^/api/v1/boards/(?<board_id>[^/]+)')).toContain(
        'proxy_pass http://command_api_board;',
      );
      expect(nginxLocation(nginxConf, '/socket.io/')).toContain('proxy_pass http://realtime;');
    });

    it('upgrades websockets on /socket.io and on /graphql-ws (GraphQL subscriptions), both to the realtime nodes', () => {
      for (const location of ['/socket.io/', '= /graphql-ws']) {
        const socket = nginxLocation(nginxConf, location) ?? '';
        expect(socket, location).toContain('proxy_pass http://realtime;');
        expect(socket, location).toMatch(/proxy_http_version 1\.1;/);
        expect(socket, location).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
        expect(socket, location).toMatch(/proxy_set_header Connection "upgrade";/);
      }
    });

    it('serves hashed assets as immutable for a year and index.html revalidated', () => {
      expect(nginxLocation(nginxConf, '/assets/')).toMatch(/max-age=31536000, immutable/);
      expect(nginxConf).toMatch(/try_files \$uri \$uri\/ \/index\.html;/);
      expect(dockerfile).toContain('COPY --from=build /app/web/dist /usr/share/nginx/html');
      expect(nginxConf).toContain('root /usr/share/nginx/html;');
    });

    it('is the configuration compose mounts, published on the port it listens on', () => {
      const nginx = compose.services.nginx as ComposeService;
      expect(nginx.volumes).toContain('./infra/nginx/nginx.compose.conf:/etc/nginx/nginx.conf:ro');
      const listen = Number(/listen\s+(\d+);/.exec(nginxConf)?.[1]);
      expect(nginx.ports?.some((port) => port.endsWith(`:${listen}`))).toBe(true);
    });
  });

  describe('secrets', () => {
    const raw = loadRawCompose();
    const credentials = /^[a-z]+:\/\/[^/@:]*:(.*)@[^@]*$/;

    it('commits no secret value: every secret is a ${…} reference', () => {
      for (const [name, service] of Object.entries(raw.services)) {
        for (const [key, value] of Object.entries(stringEnv(service.environment))) {
          if (/SECRET|PASSWORD|TOKEN/.test(key) && !key.endsWith('_FILE'))
            expect(value, `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
          const password = credentials.exec(value)?.[1];
          if (password !== undefined) expect(password, `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
        }
      }
      for (const secret of Object.values(raw.secrets ?? {})) expect(secret.environment ?? secret.file).toBeTruthy();
    });

    it('ships placeholders only in .env.example', () => {
      const example = parseEnvFile(readText('.env.example'));
      for (const [key, value] of Object.entries(example)) {
        if (/SECRET|PASSWORD/.test(key)) expect(value, key).toMatch(/^replace-with-/);
      }
    });
  });
});

function dependencyClosure(name: string, seen = new Set<string>()): Set<string> {
  for (const dependency of Object.keys(compose.services[name]?.depends_on ?? {})) {
    if (seen.has(dependency)) continue;
    seen.add(dependency);
    dependencyClosure(dependency, seen);
  }
  return seen;
}
