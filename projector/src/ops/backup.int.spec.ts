import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlEventStore, createTestDatabase, type EventStore, type TestDatabase } from '@primetrade/platform';
import { appendHistories, boardHistories } from '../testing/boardHistory.testkit.js';
import { waitFor } from '../testing/wait.testkit.js';
import { createBackup, restoreBackup, verifyBackup } from './backup.js';

describe('Event store backups (ops `backup create|verify|restore`)', () => {
  let database: TestDatabase;
  let store: EventStore;
  let dir: string;
  let file: string;
  let appended: number;
  const freshStore = () => createSqlEventStore(database.sql, { schema: `es_${randomBytes(4).toString('hex')}` });

  beforeAll(async () => {
    database = await createTestDatabase('ops_backup');
    store = await freshStore();
    appended = await appendHistories(store, boardHistories({ boards: 4, eventsPerBoard: 60, seed: 7 }), 15);
    await store.appendToStream('audit-1', [
      { id: '4c0b3a8e-1f57-4e39-9a62-0c1f3a2d9e11', type: 'Noted', data: { n: 1 }, metadata: {} },
    ]);
    // The feed shows a commit once every older transaction in the cluster has ended (docs/architecture.md).
    await waitFor(async () => (await store.readAll()).length === appended + 1, 'the feed shows every event', 20_000);
    dir = await mkdtemp(join(tmpdir(), 'pt-backup-'));
    file = join(dir, 'events.ndjson');
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every stored event in global order with a manifest that the verifier accepts', async () => {
    const progress: number[] = [];
    const manifest = await createBackup(store, file, (p) => progress.push(p.events), 100);
    const all = await store.readAll();
    expect(manifest).toMatchObject({
      events: appended + 1,
      streams: 5,
      firstPosition: all[0]?.position,
      lastPosition: all.at(-1)?.position,
    });
    expect(progress.at(-1)).toBe(appended + 1);
    expect(progress.length).toBeGreaterThan(1);
    const report = await verifyBackup(file, { fold: true });
    expect(report).toMatchObject({ ok: true, problems: [], events: appended + 1, streams: 5, boards: 4 });
  });

  it('refuses to overwrite an existing file', async () => {
    await expect(createBackup(store, file, () => undefined)).rejects.toThrow(/exists: backups are never overwritten/);
  });

  it('reports a changed byte as a checksum mismatch', async () => {
    const text = await readFile(file, 'utf8');
    const tampered = join(dir, 'tampered.ndjson');
    await writeFile(tampered, text.replace('"type":"TaskCreated"', '"type":"TaskCreatef"'));
    const report = await verifyBackup(tampered, { fold: false });
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/checksum mismatch/);
  });

  it('reports a truncated file, a dropped event and an out-of-order one', async () => {
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const truncated = join(dir, 'truncated.ndjson');
    await writeFile(truncated, `${lines.slice(0, -5).join('\n')}\n`);
    expect((await verifyBackup(truncated, { fold: false })).problems).toContain(
      'no manifest line: the backup is truncated',
    );
    const dropped = join(dir, 'dropped.ndjson');
    await writeFile(dropped, `${[...lines.slice(0, 10), ...lines.slice(11)].join('\n')}\n`);
    const droppedReport = await verifyBackup(dropped, { fold: false });
    expect(droppedReport.problems.join('\n')).toMatch(/revision \d+, expected \d+/);
    expect(droppedReport.problems.join('\n')).toMatch(/the manifest counts \d+ events, the file holds \d+/);
    const swapped = join(dir, 'swapped.ndjson');
    await writeFile(swapped, `${[...lines.slice(0, 20), lines[21], lines[20], ...lines.slice(22)].join('\n')}\n`);
    expect((await verifyBackup(swapped, { fold: false })).problems.join('\n')).toMatch(
      /line 22: position .* does not follow/,
    );
  });

  it('restores into an empty store: the same events, ids, data and revisions, in the same order', async () => {
    const target = await freshStore();
    const counts: number[] = [];
    const result = await restoreBackup(target, file, (events) => counts.push(events));
    expect(result).toEqual({ events: appended + 1, streams: 5 });
    expect(counts.at(-1)).toBe(appended + 1);
    await waitFor(async () => (await target.readAll()).length === appended + 1, 'the restored feed', 20_000);
    const strip = (events: Awaited<ReturnType<EventStore['readAll']>>) =>
      events.map(({ id, streamId, revision, type, data, metadata }) => ({
        id,
        streamId,
        revision,
        type,
        data,
        metadata,
      }));
    expect(strip(await target.readAll())).toEqual(strip(await store.readAll()));
    await expect(restoreBackup(target, file, () => undefined)).rejects.toThrow(/not empty/);
    await target.close();
  });
});
