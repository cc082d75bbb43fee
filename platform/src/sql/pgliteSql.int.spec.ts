import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializePgliteDataDir } from './pgliteInitdb.js';
import { createPgliteSql, pgliteStartParams } from './pgliteSql.js';

describe('PGlite start parameters', () => {
  it("keep PGlite's own, then add one -c per setting", () => {
    expect(pgliteStartParams({ shared_buffers: '16MB', work_mem: '1MB' })).toEqual([
      ...PGlite.defaultStartParams,
      '-c',
      'shared_buffers=16MB',
      '-c',
      'work_mem=1MB',
    ]);
    expect(pgliteStartParams()).toEqual(PGlite.defaultStartParams);
  });

  it('refuse a name that is not a setting, and an empty or multi-line value', () => {
    expect(() => pgliteStartParams({ 'shared_buffers=1MB -c fsync': 'off' })).toThrow(/not a PostgreSQL setting/);
    expect(() => pgliteStartParams({ shared_buffers: '' })).toThrow(/one-line value/);
    expect(() => pgliteStartParams({ shared_buffers: '16MB\nfsync=off' })).toThrow(/one-line value/);
  });
});

describe('PGlite on disk', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'pt-pglite-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('initializes a new data directory in a child process, opens it with the settings, and keeps what was written', async () => {
    const dataDir = path.join(work, 'new');
    await initializePgliteDataDir(dataDir);
    await expect(access(path.join(dataDir, 'PG_VERSION'))).resolves.toBeUndefined();

    const first = await createPgliteSql({ dataDir, settings: { shared_buffers: '8MB' } });
    try {
      expect(await first.query<{ shared_buffers: string }>('SHOW shared_buffers')).toEqual([{ shared_buffers: '8MB' }]);
      await first.exec('CREATE TABLE kept (id int PRIMARY KEY)');
      await first.query('INSERT INTO kept (id) VALUES ($1)', [7]);
    } finally {
      await first.close();
    }

    // An initialized directory is left alone: the second start finds the table and the row.
    await initializePgliteDataDir(dataDir);
    const second = await createPgliteSql({ dataDir });
    try {
      expect(await second.query('SELECT id FROM kept')).toEqual([{ id: 7 }]);
      expect(await second.query<{ shared_buffers: string }>('SHOW shared_buffers')).toEqual([
        { shared_buffers: '128MB' },
      ]);
    } finally {
      await second.close();
    }
  });

  it('names the directory when the child cannot initialize it', async () => {
    const notADirectory = path.join(work, 'a-file');
    await writeFile(notADirectory, 'not a database');
    await expect(initializePgliteDataDir(notADirectory)).rejects.toThrow(/could not initialize .*a-file/);
  });
});
