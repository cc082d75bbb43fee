import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dockerStages, loadCompose, loadManifests, readText, type DockerStage } from './kit/deployFiles.js';

const stages = dockerStages(readText('infra/docker/Dockerfile'));
const stage = (name: string): DockerStage => {
  const found = stages.find((one) => one.name === name);
  if (!found) throw new Error(`no stage ${name} in infra/docker/Dockerfile`);
  return found;
};
const instructions = (name: string, keyword: string) =>
  stage(name).lines.filter((line) => line.toUpperCase().startsWith(`${keyword} `));
/** The stages a stage builds on (FROM <stage>), itself first. */
const lineage = (name: string): DockerStage[] => {
  const own = stage(name);
  return stages.some((one) => one.name === own.from) ? [own, ...lineage(own.from)] : [own];
};

describe('infra/docker/Dockerfile', () => {
  it('builds in a builder stage with npm ci and the README build', () => {
    const build = lineage('build').flatMap((one) => one.lines);
    expect(build.some((line) => /^RUN npm ci\b/.test(line))).toBe(true);
    expect(build).toContain('RUN npm run build');
  });

  it('puts only production dependencies in the app image', () => {
    const app = stage('app');
    const copiedModules = app.lines.find((line) => /node_modules/.test(line) && line.startsWith('COPY'));
    const source = /--from=(\S+)/.exec(copiedModules ?? '')?.[1] ?? '';
    expect(
      lineage(source)
        .flatMap((one) => one.lines)
        .some((line) => /^RUN npm ci .*--omit=dev/.test(line)),
    ).toBe(true);
    expect(app.from).toMatch(/^\$\{NODE_IMAGE\}$|slim|alpine/);
    expect(readText('infra/docker/Dockerfile')).toMatch(/ARG NODE_IMAGE=node:20-bookworm-slim/);
  });

  it('runs both runtime images as a user other than root, with a health check', () => {
    for (const name of ['app', 'web']) {
      const users = instructions(name, 'USER');
      expect(users.length, name).toBeGreaterThan(0);
      expect(users.at(-1), name).not.toMatch(/^USER\s+(root|0)(:|\s|$)/);
      expect(instructions(name, 'HEALTHCHECK').length, name).toBe(1);
    }
  });

  it('starts the app image as a command-api node and health-checks the port it listens on', () => {
    expect(instructions('app', 'CMD')).toEqual(['CMD ["node", "server/dist/main.js"]']);
    expect(instructions('app', 'HEALTHCHECK')[0]).toContain('"infra/docker/healthcheck.mjs", "PORT", "/healthz"');
    expect(instructions('app', 'ENV').join(' ')).toMatch(/HOST=0\.0\.0\.0/);
  });

  it('copies every workspace: its manifest before npm ci, its package.json and build into the app image', () => {
    const { workspaces } = JSON.parse(readText('package.json')) as { workspaces: string[] };
    const manifests = instructions('manifests', 'COPY');
    const app = instructions('app', 'COPY');
    for (const workspace of workspaces) {
      expect(manifests, workspace).toContain(`COPY ${workspace}/package.json ${workspace}/`);
      expect(app, workspace).toContain(`COPY --from=build /app/${workspace}/package.json ${workspace}/`);
      expect(app, workspace).toContain(`COPY --from=build /app/${workspace}/dist ${workspace}/dist`);
    }
    expect(app).toContain('COPY --from=build /app/read-model/migrations read-model/migrations');
  });

  it('is the image compose and Kubernetes run: app for the node services, web for nginx', () => {
    const compose = loadCompose();
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.build) continue;
      expect(service.build.target, name).toBe(name === 'nginx' ? 'web' : 'app');
      expect(service.image, name).toMatch(new RegExp(`^primetrade/${service.build.target}:`));
    }
    for (const { manifest } of loadManifests().filter((entry) => entry.manifest.kind === 'Deployment')) {
      const spec = manifest.spec as { template: { spec: { containers: { image: string; command?: string[] }[] } } };
      for (const container of spec.template.spec.containers) {
        expect(container.image, manifest.metadata.name).toBe(
          container.command ? 'primetrade/app:0.1.0' : 'primetrade/web:0.1.0',
        );
      }
    }
  });
});

describe('.dockerignore', () => {
  it('keeps local data, builds, dependencies and secrets out of the build context', () => {
    const ignored = readText('.dockerignore').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git', '.env', '.data', 'data'])
      expect(ignored, entry).toContain(entry);
    expect(ignored).toContain('!.env.example');
  });
});

describe('.github/workflows/ci.yml', () => {
  interface Workflow {
    jobs: Record<
      string,
      {
        services?: Record<string, { image: string }>;
        steps: { uses?: string; run?: string; with?: Record<string, string> }[];
      }
    >;
  }
  const jobs = Object.values((parse(readText('.github/workflows/ci.yml')) as Workflow).jobs);

  it('mirrors .ci/run: PostgreSQL 15 and Redis, Java 17, the Kafka jars, compose config and the README test command', () => {
    const [job] = jobs;
    expect(job?.services?.postgres?.image).toMatch(/^postgres:15/);
    expect(job?.services?.redis?.image).toMatch(/^redis:7/);
    const steps = job?.steps ?? [];
    expect(steps.find((step) => step.uses?.startsWith('actions/setup-java'))?.with?.['java-version']).toBe('17');
    const runs = steps.map((step) => step.run ?? '').join('\n');
    for (const command of [
      'npm ci',
      'node infra/kafka/kafka.mjs fetch',
      'docker compose --env-file .env.example',
      'npm test',
    ]) {
      expect(runs, command).toContain(command);
      expect(readText('.ci/run'), command).toContain(command);
    }
  });
});
