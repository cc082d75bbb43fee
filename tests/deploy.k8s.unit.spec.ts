import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '@primetrade/platform';
import {
  k8sDir,
  listenPort,
  loadConfig,
  loadManifests,
  nginxUpstreams,
  parseEnvFile,
  readText,
  roleOf,
  type Env,
} from './kit/deployFiles.js';

interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string } }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
  }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
}
interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
}

const all = loadManifests();
const manifests = all.map((entry) => entry.manifest);
const ofKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const byName = (kind: string, name: string) => ofKind(kind).find((manifest) => manifest.metadata.name === name);
const deployments = ofKind('Deployment').map((manifest) => ({
  name: manifest.metadata.name,
  spec: manifest.spec as DeploymentSpec,
}));
const statefulSets = ofKind('StatefulSet').map((manifest) => ({
  name: manifest.metadata.name,
  spec: manifest.spec as DeploymentSpec & {
    serviceName: string;
    volumeClaimTemplates?: { metadata: { name: string } }[];
  },
}));
const configMap = byName('ConfigMap', 'primetrade-config')?.data ?? {};
const secretKeys = parseEnvFile(readText(`${k8sDir}/secrets.example.env`));
const secretVariables = ['DATABASE_URL', 'EVENT_STORE_URL', 'REDIS_URL', 'JWT_SECRET'];
const schemaKeys = new Set(Object.keys(configSchema.shape));
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The environment a container starts with: ConfigMap, then its own entries (Secret refs take the example file's placeholders). */
function containerEnv(container: Container): Env {
  const env: Env = {};
  for (const source of container.envFrom ?? [])
    if (source.configMapRef?.name === 'primetrade-config') Object.assign(env, configMap);
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.secretKeyRef;
    env[entry.name] = entry.value ?? (ref ? (secretKeys[ref.key] ?? '') : entry.valueFrom?.fieldRef ? 'pod-name' : '');
  }
  return env;
}
const appContainers = deployments.flatMap((deployment) =>
  deployment.spec.template.spec.containers.flatMap((container) => {
    const role = roleOf(container.command);
    return role ? [{ deployment, container, role, env: containerEnv(container) }] : [];
  }),
);
const portNumber = (container: Container, port: string | number | undefined) =>
  typeof port === 'number' ? port : container.ports?.find((candidate) => candidate.name === port)?.containerPort;

describe('Kubernetes manifests (infra/k8s)', () => {
  it('are all listed in the kustomization, in one namespace', () => {
    const kustomization = parse(readText(`${k8sDir}/kustomization.yaml`)) as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual([...new Set(all.map((entry) => entry.file))].sort());
    for (const manifest of manifests.filter((one) => one.kind !== 'Namespace'))
      expect(manifest.metadata.namespace, manifest.metadata.name).toBe('primetrade');
  });

  it('deploy every service: relays twice for the lease, the others with an image each', () => {
    expect(deployments.map((deployment) => deployment.name).sort()).toEqual([
      'command-api',
      'projector',
      'realtime',
      'relay',
      'search',
      'web',
    ]);
    expect(deployments.find((deployment) => deployment.name === 'relay')?.spec.replicas).toBe(2);
    for (const { name, spec } of deployments) {
      expect(matches(spec.selector.matchLabels, spec.template.metadata.labels), name).toBe(true);
      for (const container of spec.template.spec.containers)
        expect(container.image, name).toMatch(/^primetrade\/(app|web):/);
    }
    expect(appContainers.map((app) => `${app.deployment.name}:${app.role}`).sort()).toEqual([
      'command-api:command-api',
      'projector:projector',
      'realtime:realtime',
      'relay:relay',
      'search:search',
    ]);
  });

  it('set only variables the config schema knows, and everything cluster mode requires', () => {
    for (const app of appContainers) {
      expect(
        Object.keys(app.env).filter((key) => !schemaKeys.has(key)),
        app.deployment.name,
      ).toEqual([]);
      expect(() => loadConfig(app.env), app.deployment.name).not.toThrow();
      expect(loadConfig(app.env).HOST, app.deployment.name).toBe('0.0.0.0');
    }
    expect(Object.keys(configMap).filter((key) => !schemaKeys.has(key))).toEqual([]);
  });

  it('take secrets only from the Secret, by reference, with keys the example file lists', () => {
    expect(ofKind('Secret')).toEqual([]);
    for (const key of secretVariables) expect(configMap, key).not.toHaveProperty(key);
    for (const app of appContainers) {
      for (const key of secretVariables) {
        const entry = app.container.env?.find((one) => one.name === key);
        expect(entry?.valueFrom?.secretKeyRef, `${app.deployment.name}.${key}`).toEqual({
          name: 'primetrade-secrets',
          key,
        });
      }
    }
    for (const [key, value] of Object.entries(secretKeys)) expect(value, key).toMatch(/replace-with-/);
  });

  it('probe readiness on /readyz and liveness on /healthz, on the port each role listens on', () => {
    for (const app of appContainers) {
      const port = listenPort(app.role, loadConfig(app.env));
      const { readinessProbe, livenessProbe, startupProbe } = app.container;
      expect(readinessProbe?.httpGet?.path, app.deployment.name).toBe('/readyz');
      expect(livenessProbe?.httpGet?.path, app.deployment.name).toBe('/healthz');
      for (const probe of [readinessProbe, livenessProbe, startupProbe]) {
        expect(portNumber(app.container, probe?.httpGet?.port), app.deployment.name).toBe(port);
      }
      expect(app.deployment.spec.template.metadata.labels, app.deployment.name).toBeDefined();
    }
    const web = deployments.find((deployment) => deployment.name === 'web')?.spec.template.spec.containers[0];
    expect(web && portNumber(web, web.readinessProbe?.httpGet?.port)).toBe(8080);
  });

  it('run OpenSearch as a StatefulSet with its own volume, behind the Service SEARCH_URL names', () => {
    const [opensearch] = statefulSets;
    expect(statefulSets.map((set) => set.name)).toEqual(['opensearch']);
    const container = opensearch?.spec.template.spec.containers[0];
    expect(container?.image).toMatch(/^opensearchproject\/opensearch:2\.19\./);
    expect(opensearch?.spec.volumeClaimTemplates?.map((claim) => claim.metadata.name)).toEqual(['data']);
    expect(opensearch?.spec.template.spec.securityContext?.runAsNonRoot).toBe(true);
    const service = byName('Service', opensearch?.spec.serviceName ?? '')?.spec as {
      ports: { port: number; targetPort: string }[];
    };
    const search = appContainers.find((app) => app.role === 'search');
    const url = new URL((search && loadConfig(search.env).SEARCH_URL) ?? '');
    expect(url.hostname.split('.')[0]).toBe(opensearch?.spec.serviceName);
    expect(Number(url.port)).toBe(service.ports[0]?.port);
    expect(container && portNumber(container, service.ports[0]?.targetPort)).toBe(9200);
  });

  it('run without root, with requests and limits', () => {
    for (const { name, spec } of deployments) {
      expect(spec.template.spec.securityContext?.runAsNonRoot, name).toBe(true);
      expect(spec.template.spec.securityContext?.runAsUser, name).toBeGreaterThan(0);
      for (const container of spec.template.spec.containers) {
        expect(container.securityContext?.allowPrivilegeEscalation, name).toBe(false);
        for (const kind of ['requests', 'limits'] as const)
          expect(Object.keys(container.resources?.[kind] ?? {}).sort(), `${name} ${kind}`).toEqual(['cpu', 'memory']);
      }
    }
  });

  it('expose each Deployment through a Service whose target port the container listens on', () => {
    for (const service of ofKind('Service')) {
      const spec = service.spec as {
        selector: Record<string, string>;
        ports: { port: number; targetPort: string | number }[];
      };
      const target = [...deployments, ...statefulSets].find((workload) =>
        matches(spec.selector, workload.spec.template.metadata.labels),
      );
      expect(target, service.metadata.name).toBeDefined();
      const container = target?.spec.template.spec.containers[0];
      for (const port of spec.ports)
        expect(container && portNumber(container, port.targetPort), service.metadata.name).toBeTypeOf('number');
    }
    const app = appContainers.find((one) => one.role === 'command-api');
    const apiService = byName('Service', 'command-api')?.spec as { ports: { port: number }[] } | undefined;
    expect(apiService?.ports[0]?.port).toBe(app && listenPort('command-api', loadConfig(app.env)));
  });

  it('autoscale command-api, realtime and the projector, the projector no further than the partitions', () => {
    const hpas = ofKind('HorizontalPodAutoscaler').map(
      (manifest) =>
        manifest.spec as { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number },
    );
    expect(hpas.map((hpa) => hpa.scaleTargetRef.name).sort()).toEqual(['command-api', 'projector', 'realtime']);
    for (const hpa of hpas) {
      expect(deployments.some((deployment) => deployment.name === hpa.scaleTargetRef.name)).toBe(true);
      expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
    }
    const projector = appContainers.find((app) => app.role === 'projector');
    const partitions = projector ? loadConfig(projector.env).KAFKA_PARTITIONS : 0;
    expect(hpas.find((hpa) => hpa.scaleTargetRef.name === 'projector')?.maxReplicas).toBeLessThanOrEqual(partitions);
  });

  it('keep every Deployment available through voluntary disruptions', () => {
    const budgets = ofKind('PodDisruptionBudget').map(
      (manifest) => manifest.spec as { selector: { matchLabels: Record<string, string> } },
    );
    for (const { name, spec } of deployments) {
      expect(
        budgets.some((budget) => matches(budget.selector.matchLabels, spec.template.metadata.labels)),
        name,
      ).toBe(true);
    }
  });

  it('route everything through the Ingress to the web pods, with websocket timeouts', () => {
    const paths = ofKind('Ingress').flatMap((ingress) => {
      const spec = ingress.spec as {
        rules: {
          http: { paths: { path: string; backend: { service: { name: string; port: { name?: string } } } }[] };
        }[];
      };
      return spec.rules
        .flatMap((rule) => rule.http.paths)
        .map((path) => ({ ...path, annotations: ingress.metadata.annotations ?? {} }));
    });
    expect(paths.map((path) => [path.path, path.backend.service.name])).toEqual([['/', 'web']]);
    const service = byName('Service', 'web')?.spec as { ports: { name: string }[] } | undefined;
    expect(service?.ports.some((port) => port.name === paths[0]?.backend.service.port.name)).toBe(true);
    expect(Number(paths[0]?.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(60);
  });

  it("give the web pods' nginx (infra/nginx/nginx.k8s.conf) every command-api and realtime pod through headless Services", () => {
    const nginxConf = readText('infra/nginx/nginx.k8s.conf');
    const upstreams = nginxUpstreams(nginxConf);
    for (const [upstream, role] of [
      ['command_api_board', 'command-api'],
      ['command_api', 'command-api'],
      ['realtime', 'realtime'],
    ] as const) {
      const servers = upstreams.find((one) => one.name === upstream)?.servers ?? [];
      expect(servers, upstream).toHaveLength(1);
      const [name, namespace] = servers[0]!.host.split('.');
      const service = byName('Service', name ?? '');
      const spec = service?.spec as
        { clusterIP?: string; selector: Record<string, string>; ports: { port: number }[] } | undefined;
      expect(namespace, upstream).toBe(service?.metadata.namespace);
      expect(spec?.clusterIP, upstream).toBe('None');
      expect(spec?.selector, upstream).toEqual({ 'app.kubernetes.io/name': role });
      expect(spec?.ports[0]?.port, upstream).toBe(servers[0]!.port);
    }
    expect(readText('infra/docker/Dockerfile')).toContain('COPY infra/nginx/nginx.k8s.conf /etc/nginx/nginx.conf');
  });
});
