import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appendHistories, boardHistories, feedShows } from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';
import {
  createLogger,
  createSqlEventStore,
  createTestDatabase,
  deleteTopics,
  ensureBoardEventsTopic,
  uniqueTopic,
  type EventStore,
  type TestDatabase,
} from '@primetrade/platform';
import { repoRoot } from './kit/process.js';

const entry = path.join(repoRoot, 'projector/dist/ops/main.js');
const brokers = inject('kafkaBrokers');
const logger = createLogger({ level: 'silent' });

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run ops -- <args>` as a child process, the way an operator runs it. */
function ops(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [entry, ...args],
      { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('The operations CLI as a process (npm run ops)', () => {
  let database: TestDatabase;
  let store: EventStore;
  let dir: string;
  let appended: number;
  const topic = uniqueTopic('ops-cli');
  const env = () => ({ DATABASE_URL: database.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC: topic });

  beforeAll(async () => {
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npx tsc -b\` first (npm test does)`);
    database = await createTestDatabase('ops_cli');
    await runMigrations(database.sql);
    store = await createSqlEventStore(database.sql);
    appended = await appendHistories(store, boardHistories({ boards: 3, eventsPerBoard: 20, seed: 5 }), 10);
    await feedShows(store, appended);
    await store.close();
    await ensureBoardEventsTopic({ brokers: brokers.split(','), topic, partitions: 2, logger });
    dir = await mkdtemp(path.join(tmpdir(), 'pt-ops-cli-'));
  });
  afterAll(async () => {
    await deleteTopics(brokers.split(','), [topic], logger).catch(() => undefined);
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers bad usage and missing settings with exit code 2 and the reason', async () => {
    const unknown = await ops(['frobnicate'], env());
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"') as unknown,
    });
    const badFrom = await ops(['replay', '--to', 'http://127.0.0.1:9/', '--from', 'yesterday'], env());
    expect(badFrom).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--from must be a store position') as unknown,
    });
    const noDatabase = await ops(['status'], {});
    expect(noDatabase).toMatchObject({ code: 2, stderr: expect.stringContaining('DATABASE_URL') as unknown });
    const noSecret = await ops(['replay', '--to', 'http://127.0.0.1:9/'], env());
    expect(noSecret).toMatchObject({ code: 2, stderr: expect.stringContaining('REPLAY_WEBHOOK_SECRET') as unknown });
    const help = await ops(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('rebase-txids');
  });

  it('prints status as JSON, rebuilds the read models, and backs up and verifies the store', async () => {
    const status = await ops(['status', '--json'], env());
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { kafka: { partitions: unknown[] }; txids: { needsRebase: boolean } };
    expect(parsed.kafka.partitions).toHaveLength(4);
    expect(parsed.txids.needsRebase).toBe(false);

    const rebuild = await ops(['rebuild'], env());
    expect(rebuild).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`rebuilt ${appended} events of 3 boards`) as unknown,
    });
    const [boards] = await database.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM boards');
    expect(boards?.n).toBe(3);

    const file = path.join(dir, 'store.ndjson');
    const created = await ops(['backup', 'create', file], env());
    expect(created).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`${appended} events in 3 streams`) as unknown,
    });
    expect(await ops(['backup', 'verify', file, '--fold'], env())).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('3 boards folded') as unknown,
    });
    const tampered = path.join(dir, 'tampered.ndjson');
    await writeFile(tampered, (await readFile(file, 'utf8')).replace('"revision":"3"', '"revision":"4"'));
    expect(await ops(['backup', 'verify', tampered], env())).toMatchObject({
      code: 3,
      stdout: expect.stringContaining('checksum mismatch') as unknown,
    });
  });

  it('after a logical restore: refuses to open the store until `rebase-txids`, then works again', async () => {
    // pg_restore into another cluster keeps the stored ids, far ahead of that cluster's counter (ADR 0013).
    await database.sql.exec(
      'UPDATE event_store.events SET transaction_id = (transaction_id::text::bigint + 1000000000)::text::xid8',
    );
    expect(await ops(['rebase-txids', '--check'], env())).toMatchObject({
      code: 3,
      stdout: expect.stringContaining('needs rebase') as unknown,
    });
    const refused = await ops(['backup', 'create', path.join(dir, 'refused.ndjson')], env());
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('npm run ops -- rebase-txids') as unknown,
    });
    expect(await ops(['status'], env())).toMatchObject({
      code: 3,
      stdout: expect.stringContaining('NEEDS rebase-txids') as unknown,
    });

    expect(await ops(['rebase-txids'], env())).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('rebased: offset 0 ->') as unknown,
    });
    expect(await ops(['rebase-txids', '--check'], env())).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('no rebase needed') as unknown,
    });
    expect(await ops(['rebase-txids'], env())).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('nothing to rebase') as unknown,
    });
    const after = path.join(dir, 'after-rebase.ndjson');
    expect(await ops(['backup', 'create', after], env())).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`${appended} events`) as unknown,
    });
  });
});
