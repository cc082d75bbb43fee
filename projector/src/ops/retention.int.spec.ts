import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createTestDatabase, loadOpsConfig, type TestDatabase } from '@primetrade/platform';
import { runMigrations } from '@primetrade/read-model';
import { exitCodes } from './cli.js';
import { runCommand } from './commands.js';
import { openConnections } from './connections.js';

const logger = createLogger({ level: 'silent' });

describe('ops `retention`', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('ops_retention');
    await runMigrations(database.sql);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('deletes what is past the configured retention now and prints the counts', async () => {
    const insert = (createdAt: Date) =>
      database.sql.query(
        `INSERT INTO notifications (id, user_id, kind, board_id, task_id, event_id, task_title, summary, created_at)
       VALUES ($1, $2, 'assigned', $3, $4, $5, 'Task', 'Assigned to you', $6)`,
        [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID(), createdAt],
      );
    await insert(new Date(Date.now() - 3 * 24 * 3600_000));
    await insert(new Date());
    const config = loadOpsConfig({
      DATABASE_URL: database.url,
      RETENTION_NOTIFICATIONS_DAYS: '2',
      RETENTION_REFRESH_TOKENS_DAYS: '0',
    });
    const connections = openConnections(config, logger);
    let out = '';
    try {
      const code = await runCommand(
        { name: 'retention' },
        { config, connections, logger, io: { out: (text) => void (out += text), err: () => undefined } },
      );
      expect(code).toBe(exitCodes.ok);
    } finally {
      await connections.close();
    }
    expect(out).toBe(
      'retention: removed 0 refresh tokens (kept forever) and 1 notifications (kept 2 days after creation)\n',
    );
    expect(await database.sql.query('SELECT id FROM notifications')).toHaveLength(1);
  });
});
