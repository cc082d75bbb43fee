import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig, type Config } from '@primetrade/platform';

/**
 * Reading the deployment files for `deploy.*.unit.spec.ts`: docker-compose.yml with the same
 * `${…}` interpolation compose does, the Kubernetes manifests, nginx upstreams, Dockerfile stages.
 * Only reads files; nothing here starts or contacts anything.
 */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const readText = (relative: string): string => readFileSync(path.join(repoRoot, relative), 'utf8');

export type Env = Record<string, string>;

/** `KEY=value` lines; comments and blank lines skipped. */
export function parseEnvFile(text: string): Env {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
  return Object.fromEntries(entries);
}

/**
 * Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
 * `${VAR?message}` and `$$` for a literal `$`. A required variable that is missing throws.
 */
export function interpolate(text: string, env: Env): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (match, name?: string, operator?: string, argument?: string) => {
      if (match === '$$') return '$';
      const value = env[name ?? ''];
      const missing = operator?.startsWith(':') ? !value : value === undefined;
      if (!missing) return value ?? '';
      if (operator?.endsWith('?')) throw new Error(`required variable ${name} is not set: ${argument}`);
      return operator?.endsWith('-') ? (argument ?? '') : '';
    },
  );
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  profiles?: string[];
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { environment?: string; file?: string }>;
}

/** docker-compose.yml as compose sees it with `.env.example` as the `.env` file. */
export function loadCompose(env: Env = parseEnvFile(readText('.env.example'))): ComposeFile {
  return parse(interpolate(readText('docker-compose.yml'), env), { merge: true }) as ComposeFile;
}

/** docker-compose.yml before interpolation: what is committed. */
export const loadRawCompose = (): ComposeFile => parse(readText('docker-compose.yml'), { merge: true }) as ComposeFile;

export const stringEnv = (environment: ComposeService['environment'] = {}): Env =>
  Object.fromEntries(Object.entries(environment).map(([key, value]) => [key, String(value)]));

/** Which service an app container runs, from its command. */
export type Role = 'command-api' | 'realtime' | 'relay' | 'projector' | 'search';
export function roleOf(command: readonly string[] | undefined): Role | undefined {
  const [runtime, entry, argument] = command ?? [];
  if (runtime !== 'node') return undefined;
  if (entry === 'server/dist/main.js') return 'command-api';
  if (entry === 'server/dist/realtime.main.js') return 'realtime';
  if (
    entry === 'server/dist/projector.main.js' &&
    (argument === 'relay' || argument === 'projector' || argument === 'search')
  )
    return argument;
  return undefined;
}

/** The variable holding the port a role serves /healthz, /readyz and /metrics on. */
export const portVariableOf = (role: Role): 'PORT' | 'OPS_PORT' =>
  role === 'relay' || role === 'projector' || role === 'search' ? 'OPS_PORT' : 'PORT';
export const listenPort = (role: Role, config: Config): number => config[portVariableOf(role)];
export { loadConfig };

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: unknown;
  data?: Record<string, string>;
}
export const k8sDir = 'infra/k8s';

/** Every document of every `.yaml` in infra/k8s except the kustomization, with its file. */
export function loadManifests(): { file: string; manifest: Manifest }[] {
  const files = readdirSync(path.join(repoRoot, k8sDir)).filter(
    (file) => file.endsWith('.yaml') && file !== 'kustomization.yaml',
  );
  return files.flatMap((file) =>
    parseAllDocuments(readText(`${k8sDir}/${file}`)).map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
      return { file, manifest: document.toJS() as Manifest };
    }),
  );
}

export interface NginxUpstream {
  readonly name: string;
  readonly servers: { host: string; port: number }[];
  readonly body: string;
}

/** `upstream name { … server host:port …; }` blocks of an nginx configuration. */
export function nginxUpstreams(config: string): NginxUpstream[] {
  const withoutComments = config.replace(/#[^\n]*/g, '');
  return [...withoutComments.matchAll(/upstream\s+([\w-]+)\s*\{([^}]*)\}/g)].map((match) => ({
    name: match[1] ?? '',
    body: match[2] ?? '',
    servers: [...(match[2] ?? '').matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((server) => ({
      host: server[1] ?? '',
      port: Number(server[2]),
    })),
  }));
}

/** The body of `location <path> { … }` (one level of nesting is enough for our files). */
export function nginxLocation(config: string, location: string): string | undefined {
  const start = config.indexOf(`location ${location} {`);
  if (start < 0) return undefined;
  const end = config.indexOf('\n    }', start);
  return config.slice(start, end < 0 ? undefined : end);
}

export interface DockerStage {
  readonly name: string;
  readonly from: string;
  readonly lines: string[];
}

/** `FROM image AS name` stages with their instruction lines (continuations joined). */
export function dockerStages(dockerfile: string): DockerStage[] {
  const lines = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ from: from[1] ?? '', name: from[2] ?? String(stages.length), lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens. */
export const headingAnchor = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

/** The heading anchors of a Markdown file of the repo (default the README). */
export const readmeAnchors = (file = 'README.md'): Set<string> =>
  new Set([...readText(file).matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => headingAnchor(match[1] ?? '')));
