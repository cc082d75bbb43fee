import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Sql } from '@primetrade/platform';
import type { ProjectorLogger } from './logging.js';
import { applyRetention, createRetentionJob } from './retention.js';
import { readModelBackends } from '@primetrade/read-model';

const day = 24 * 3600_000;
const now = new Date('2026-06-01T12:00:00Z');
const daysAgo = (days: number, from = now) => new Date(from.getTime() - days * day);
const policy = { refreshTokenDays: 30, notificationDays: 90 };

describe.each(readModelBackends('retention'))('Retention on $name', ({ open }) => {
  let sql: Sql;
  let drop: () => Promise<void>;
  let userId: string;

  beforeAll(async () => {
    const database = await open();
    sql = database.sql;
    drop = () => database.drop();
  });
  afterAll(() => drop());
  beforeEach(async () => {
    await sql.query('DELETE FROM refresh_tokens');
    await sql.query('DELETE FROM notifications');
    userId = randomUUID();
    await sql.query("INSERT INTO users (id, email, name, password_hash, role) VALUES ($1, $2, 'Ada', 'hash', 'user')", [
      userId,
      `ada.${userId.slice(0, 6)}@example.test`,
    ]);
  });

  /** A refresh token of `family` (a new one by default); returns its id. */
  async function token(fields: {
    expiresAt: Date;
    revokedAt?: Date;
    replacedBy?: string;
    family?: string;
  }): Promise<string> {
    const id = randomUUID();
    await sql.query(
      'INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at, revoked_at, replaced_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        id,
        userId,
        fields.family ?? randomUUID(),
        `hash-${id}`,
        fields.expiresAt,
        fields.revokedAt ?? null,
        fields.replacedBy ?? null,
        daysAgo(400),
      ],
    );
    return id;
  }

  async function notification(createdAt: Date, readAt: Date | null = null): Promise<string> {
    const id = randomUUID();
    await sql.query(
      `INSERT INTO notifications (id, user_id, kind, board_id, task_id, event_id, task_title, summary, created_at, read_at)
       VALUES ($1, $2, 'assigned', $3, $4, $5, 'Task', 'Assigned to you', $6, $7)`,
      [id, userId, randomUUID(), randomUUID(), randomUUID(), createdAt, readAt],
    );
    return id;
  }

  const tokenIds = async () =>
    (await sql.query<{ id: string }>('SELECT id FROM refresh_tokens ORDER BY id')).map((row) => row.id).sort();
  const notificationIds = async () =>
    (await sql.query<{ id: string }>('SELECT id FROM notifications ORDER BY id')).map((row) => row.id).sort();

  it('deletes refresh tokens expired or ended past retention, and keeps live ones and rotated ones of a live session', async () => {
    const expiredLongAgo = await token({ expiresAt: daysAgo(31) });
    const expiredRecently = await token({ expiresAt: daysAgo(29) });
    const live = await token({ expiresAt: daysAgo(-20) });
    const endedLongAgo = await token({ expiresAt: daysAgo(-10), revokedAt: daysAgo(31) });
    const endedRecently = await token({ expiresAt: daysAgo(-10), revokedAt: daysAgo(29) });
    // A session still going: its old rotated token stays, a replay of it must still end the session.
    const family = randomUUID();
    const current = await token({ family, expiresAt: daysAgo(-5) });
    const rotated = await token({ family, expiresAt: daysAgo(-1), revokedAt: daysAgo(40), replacedBy: current });

    expect(await applyRetention(sql, policy, now)).toEqual({ refreshTokens: 2, notifications: 0 });
    expect(await tokenIds()).toEqual([expiredRecently, live, endedRecently, current, rotated].sort());
    expect(await tokenIds()).not.toContain(expiredLongAgo);
    expect(await tokenIds()).not.toContain(endedLongAgo);
  });

  it('deletes notifications older than the retention, read or not, and keeps newer ones', async () => {
    await notification(daysAgo(91));
    await notification(daysAgo(200), daysAgo(150));
    const recentUnread = await notification(daysAgo(89));
    const recentRead = await notification(daysAgo(10), daysAgo(9));
    expect(await applyRetention(sql, policy, now)).toEqual({ refreshTokens: 0, notifications: 2 });
    expect(await notificationIds()).toEqual([recentUnread, recentRead].sort());
  });

  it('deletes in batches until none is left, stops between batches when asked, and keeps everything with 0 days', async () => {
    for (let i = 0; i < 5; i++) await notification(daysAgo(100 + i));
    expect(await applyRetention(sql, { refreshTokenDays: 0, notificationDays: 0 }, now)).toEqual({
      refreshTokens: 0,
      notifications: 0,
    });
    // Asked before each batch: "stop" at the second question leaves after one batch of 2.
    let asked = 0;
    const stopAfterOneBatch = () => asked++ >= 1;
    expect(
      await applyRetention(sql, { refreshTokenDays: 0, notificationDays: 90, batchSize: 2 }, now, stopAfterOneBatch),
    ).toEqual({ refreshTokens: 0, notifications: 2 });
    expect(await notificationIds()).toHaveLength(3);
    expect(await applyRetention(sql, { ...policy, batchSize: 2 }, now)).toEqual({ refreshTokens: 0, notifications: 3 });
    expect(await notificationIds()).toEqual([]);
  });

  describe('the periodic job', () => {
    const interval = 3_600_000;
    let clock: Date;
    let logged: { refreshTokens: number; notifications: number }[];
    const logger: ProjectorLogger = {
      debug: () => undefined,
      info: (fields) => logged.push(fields as { refreshTokens: number; notifications: number }),
      warn: () => undefined,
      error: () => undefined,
    };
    beforeEach(() => {
      clock = now;
      logged = [];
      // Only the job's timer is faked: database I/O runs for real, the clock is ours.
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('runs a pass at start and then every interval at the clock’s time, logs what it removed, and stops on stop', async () => {
      await notification(daysAgo(91));
      const ageing = await notification(daysAgo(89));
      const job = createRetentionJob({ sql, policy, clock: () => clock, intervalMs: interval, logger });
      job.start();
      await vi.waitFor(() => expect(logged).toEqual([{ refreshTokens: 0, notifications: 1 }]));
      expect(await notificationIds()).toEqual([ageing]);

      // Two days later the second one is past retention too; the next tick removes it.
      clock = new Date(now.getTime() + 2 * day);
      await token({ expiresAt: daysAgo(31, clock) });
      await vi.advanceTimersByTimeAsync(interval);
      await vi.waitFor(() =>
        expect(logged).toEqual([
          { refreshTokens: 0, notifications: 1 },
          { refreshTokens: 1, notifications: 1 },
        ]),
      );
      expect(await notificationIds()).toEqual([]);

      await job.stop();
      await notification(daysAgo(500));
      await vi.advanceTimersByTimeAsync(interval * 3);
      expect(logged).toHaveLength(2);
      expect(await notificationIds()).toHaveLength(1);
    });
  });
});
