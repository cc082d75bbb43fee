import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './kit/deployFiles.js';

/**
 * The docs explain the system only while what they point at exists: every relative link (and its
 * `#anchor`) in the README and docs/ must resolve, and every file path they quote in backticks must
 * name a file of the repository. A rename that leaves a doc behind fails here.
 */
const skipped = new Set([
  'node_modules',
  'dist',
  'dist-spec',
  '.git',
  '.data',
  'data',
  'test-output',
  'results',
  '.cache',
  '.stryker-tmp',
  'reports',
]);

function walk(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    if (skipped.has(name)) return [];
    const full = path.join(directory, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

const repoFiles = walk(repoRoot).map((full) => path.relative(repoRoot, full).split(path.sep).join('/'));
const docs = repoFiles.filter(
  (file) =>
    file.endsWith('.md') && (file.startsWith('docs/') || !file.includes('/') || /^[a-z-]+\/README\.md$/.test(file)),
);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

const anchorsOf = (markdown: string): Set<string> =>
  new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1] ?? '')));

/** Markdown outside fenced code blocks. */
const prose = (markdown: string): string => markdown.replace(/^```[\s\S]*?^```/gm, '');

function brokenLinks(file: string): string[] {
  const text = prose(readFileSync(path.join(repoRoot, file), 'utf8'));
  const broken: string[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1] ?? '';
    if (/^[a-z]+:/i.test(target)) continue;
    const [relative = '', anchor] = target.split('#');
    const resolved =
      relative === '' ? path.join(repoRoot, file) : path.resolve(path.dirname(path.join(repoRoot, file)), relative);
    if (!existsSync(resolved)) {
      broken.push(`${target}: no such file`);
      continue;
    }
    if (anchor && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor))
      broken.push(`${target}: no heading #${anchor}`);
  }
  return broken;
}

/** A quoted path exists from the repo root, from the doc's folder, or as the tail of a repo file (`http/route.ts`). */
function missingPaths(file: string): string[] {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  const quoted = [...text.matchAll(/`([\w.@-]+(?:\/[\w.@-]+)+\.(?:ts|svelte|md|sql|json|ya?ml|mjs|conf|sh))`/g)].map(
    (match) => match[1] ?? '',
  );
  return [...new Set(quoted)].filter((quotedPath) => {
    // What runs write (test and benchmark output, local data) is not in the repository.
    if (/^(test-output|bench\/results|\.data|data)\//.test(quotedPath)) return false;
    if (existsSync(path.join(repoRoot, quotedPath))) return false;
    if (existsSync(path.resolve(path.dirname(path.join(repoRoot, file)), quotedPath))) return false;
    return !repoFiles.some((repoFile) => repoFile.endsWith(`/${quotedPath}`));
  });
}

describe('the docs', () => {
  it('are found (README, docs/, each folder README)', () => {
    expect(docs).toEqual(
      expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/adding-a-command.md', 'bench/README.md']),
    );
  });

  it.each(docs)('%s: every relative link and anchor resolves', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it.each(docs)('%s: every file path in backticks exists', (file) => {
    expect(missingPaths(file)).toEqual([]);
  });

  it('keep the README a front door of at most 150 lines', () => {
    expect(readFileSync(path.join(repoRoot, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(150);
  });
});
