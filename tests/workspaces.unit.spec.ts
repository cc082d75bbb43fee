import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readText, repoRoot } from './kit/deployFiles.js';

/**
 * The workspace graph of docs/adr/0017-read-model-and-server-workspaces.md, as the tree states it:
 * what each workspace's code imports, its package.json and its tsconfig references agree with it.
 * (eslint.config.js refuses the imports; this keeps the manifests from drifting.)
 */
const dependsOn: Record<string, readonly string[]> = {
  domain: [],
  platform: ['domain'],
  'read-model': ['domain', 'platform'],
  projector: ['domain', 'platform', 'read-model'],
  realtime: ['domain', 'platform', 'read-model'],
  'command-api': ['domain', 'platform', 'read-model'],
  server: ['platform', 'read-model', 'projector', 'realtime', 'command-api'],
};
/** What specs may use besides the dependencies (devDependencies): the projector fills the read models. */
const testFixtures: Record<string, readonly string[]> = {
  realtime: ['projector'],
  'command-api': ['projector'],
  server: ['domain'],
};

const isTestFile = (file: string): boolean => /\.(spec|testkit|contract)\.ts$/.test(file);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function workspacesImportedBy(files: readonly string[]): string[] {
  const names = files.flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/from '@primetrade\/([a-z-]+)'/g)].map((match) => match[1] ?? ''),
  );
  return [...new Set(names)].sort();
}

interface Manifest {
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

const ownWorkspaces = (deps: Record<string, string> = {}): string[] =>
  Object.keys(deps)
    .filter((name) => name.startsWith('@primetrade/'))
    .map((name) => name.slice('@primetrade/'.length))
    .sort();

const workspaces = Object.keys(dependsOn);

describe('workspace graph', () => {
  it('lists each workspace in the root package.json after the ones it depends on', () => {
    const { workspaces: order } = JSON.parse(readText('package.json')) as { workspaces: string[] };
    for (const workspace of workspaces) {
      expect(order, workspace).toContain(workspace);
      for (const dependency of dependsOn[workspace] ?? [])
        expect(order.indexOf(dependency), `${dependency} before ${workspace}`).toBeLessThan(order.indexOf(workspace));
    }
  });

  it.each(workspaces)('%s: its code imports exactly the workspaces its package.json and tsconfig name', (workspace) => {
    const files = sourceFiles(path.join(repoRoot, workspace, 'src'));
    const manifest = JSON.parse(readText(`${workspace}/package.json`)) as Manifest;
    const { references = [] } = JSON.parse(readText(`${workspace}/tsconfig.json`)) as {
      references?: { path: string }[];
    };
    const expected = [...(dependsOn[workspace] ?? [])].sort();

    expect(workspacesImportedBy(files.filter((file) => !isTestFile(file)))).toEqual(expected);
    expect(ownWorkspaces(manifest.dependencies)).toEqual(expected);
    expect(references.map((reference) => path.basename(reference.path)).sort()).toEqual(expected);
  });

  it.each(workspaces)(
    '%s: its specs use only its dependencies and the fixtures in its devDependencies',
    (workspace) => {
      const files = sourceFiles(path.join(repoRoot, workspace, 'src')).filter(isTestFile);
      const manifest = JSON.parse(readText(`${workspace}/package.json`)) as Manifest;
      const fixtures = [...(testFixtures[workspace] ?? [])].sort();
      const allowed = new Set([...(dependsOn[workspace] ?? []), ...fixtures]);

      expect(workspacesImportedBy(files).filter((name) => name !== workspace && !allowed.has(name))).toEqual([]);
      expect(ownWorkspaces(manifest.devDependencies)).toEqual(fixtures);
    },
  );
});
