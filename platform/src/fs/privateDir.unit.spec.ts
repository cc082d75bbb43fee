import { mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makePrivateDir } from './privateDir.js';

const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

describe('makePrivateDir', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('creates the directory for its owner only', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'pt-private-'));
    const dir = path.join(root, 'data');
    await makePrivateDir(dir);
    expect(await modeOf(dir)).toBe(0o700);
  });

  describe('when a data directory written with open modes exists (PGlite writes 0666)', () => {
    it('takes the group and other bits off every file and directory inside, keeping the owner bits', async () => {
      root = await mkdtemp(path.join(tmpdir(), 'pt-private-'));
      const dir = path.join(root, 'data');
      await mkdir(path.join(dir, 'pglite', 'pg_wal'), { recursive: true, mode: 0o777 });
      await writeFile(path.join(dir, 'pglite', 'pg_wal', '000000010000000000000001'), 'emails and hashes', {
        mode: 0o666,
      });
      await writeFile(path.join(dir, 'tool'), '#!/bin/sh', { mode: 0o755 });
      await makePrivateDir(dir);
      expect(await modeOf(dir)).toBe(0o700);
      expect(await modeOf(path.join(dir, 'pglite'))).toBe(0o700);
      expect(await modeOf(path.join(dir, 'pglite', 'pg_wal'))).toBe(0o700);
      expect(await modeOf(path.join(dir, 'pglite', 'pg_wal', '000000010000000000000001'))).toBe(0o600);
      expect(await modeOf(path.join(dir, 'tool'))).toBe(0o700);
    });
  });
});
