import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startOpenSearch, type OpenSearchNode } from '../../infra/opensearch/opensearch.mjs';
import type {} from '@primetrade/read-model';

/** The `int` and `e2e` projects may load this module twice: the node lives on `globalThis` with a count of its users. */
interface SharedNode {
  readonly node: Promise<OpenSearchNode>;
  users: number;
}
const shared = globalThis as { __primetradeTestOpenSearch?: SharedNode };

/** The specs that search on the node (each fails, not skips, when it has none). */
const specsNeedingOpenSearch = [
  'read-model/src/search/openSearchIndex.int.spec.ts',
  'projector/src/search/searchRebuild.int.spec.ts',
];

/**
 * Whether this run has a spec that needs OpenSearch: a node costs ~720 MB and 6–30 s to start, so a
 * run limited to other files (`vitest run <filter>`) does not start one. Vitest selects the files
 * whose path contains a filter; it keeps the command line's filters on the instance (not part of its
 * typed API: when absent, assume the whole suite).
 */
function runNeedsOpenSearch(project: TestProject): boolean {
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  if (!filters || filters.length === 0) return true;
  const root = project.vitest.config.root;
  return filters.some((filter) =>
    specsNeedingOpenSearch.some((spec) => path.join(root, spec).includes(filter) || spec.includes(filter)),
  );
}

/**
 * One OpenSearch node for the whole run, on ports and a data directory of its own
 * (infra/opensearch, docs/adr/0024-search-engine.md): tests create their own indexes on it and
 * delete them. `OPENSEARCH_TEST_URL` uses a running node instead. Without a node, `openSearchUrl`
 * is '' and the OpenSearch specs say why they cannot run.
 */
export async function setup(project: TestProject): Promise<void> {
  const external = process.env.OPENSEARCH_TEST_URL;
  if (external) {
    project.provide('openSearchUrl', external);
    return;
  }
  if (!runNeedsOpenSearch(project)) {
    project.provide('openSearchUrl', '');
    return;
  }
  const entry = (shared.__primetradeTestOpenSearch ??= {
    node: (async () => {
      // The run's own directory: the node's data, and a copy of the distribution when needed.
      const started = await startOpenSearch({
        dataDir: path.join(await mkdtemp(path.join(tmpdir(), 'pt-opensearch-')), 'node'),
      });
      process.stderr.write(`[opensearch] test node on ${started.url} (pid ${started.pid})\n`);
      return started;
    })(),
    users: 0,
  });
  entry.users += 1;
  project.provide('openSearchUrl', (await entry.node).url);
}

export async function teardown(): Promise<void> {
  const entry = shared.__primetradeTestOpenSearch;
  if (!entry) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  shared.__primetradeTestOpenSearch = undefined;
  const node = await entry.node;
  await node.destroy();
  await rm(path.dirname(node.dataDir), { recursive: true, force: true });
}
