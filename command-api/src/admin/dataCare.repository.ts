import { boardStreamId, DomainError, type TaskDto, type UserDto } from '@primetrade/domain';
import { toEnvelope, type EventStore, type Sql, type SqlQueryable } from '@primetrade/platform';
import { isoSql, taskDtoJson } from '@primetrade/read-model';
import { accountsLockKey, findUserById, toUserDto, userColumns, type UserRow } from '../auth/users.repository.js';
import { historyOf, type HistoryEntry } from '../history/history.js';
import { redactPersonInAnswer, type ErasedPerson } from './answerRedaction.js';

/** Everything the system holds about one person (GDPR art. 15/20), as one JSON document. */
export interface PersonalDataExport {
  readonly exportedAt: string;
  /** The account, without the password hash. */
  readonly account: UserDto;
  readonly boards: readonly { boardId: string; name: string; role: string; addedAt: string }[];
  readonly tasksCreated: readonly TaskDto[];
  readonly tasksAssigned: readonly TaskDto[];
  readonly comments: readonly {
    id: string;
    boardId: string;
    taskId: string;
    body: string;
    createdAt: string;
    editedAt: string | null;
  }[];
  readonly notifications: readonly {
    id: string;
    kind: string;
    boardId: string;
    taskId: string;
    taskTitle: string;
    summary: string;
    createdAt: string;
    readAt: string | null;
  }[];
  readonly follows: readonly { taskId: string; following: boolean; updatedAt: string }[];
  /** What they did, per board: entries of the boards they belong to or wrote on. */
  readonly history: readonly (HistoryEntry & { boardId: string })[];
}

async function boardsOf(sql: Sql, userId: string): Promise<PersonalDataExport['boards']> {
  return sql.query(
    `SELECT m.board_id AS "boardId", b.name, m.role, ${isoSql('m.added_at')} AS "addedAt"
     FROM board_members m JOIN boards b ON b.id = m.board_id WHERE m.user_id = $1 ORDER BY m.added_at, m.board_id`,
    [userId],
  );
}

/** Tasks of boards the person is still a member of: a board they left is no longer theirs to read. */
async function tasksWhere(sql: Sql, condition: string, userId: string): Promise<TaskDto[]> {
  const rows = await sql.query<{ task: TaskDto }>(
    `SELECT ${taskDtoJson} AS task FROM tasks t
     WHERE ${condition} AND EXISTS (SELECT 1 FROM board_members m WHERE m.board_id = t.board_id AND m.user_id = $1)
     ORDER BY t.created_at, t.id`,
    [userId],
  );
  return rows.map((row) => row.task);
}

async function commentsOf(sql: Sql, userId: string): Promise<PersonalDataExport['comments']> {
  return sql.query(
    `SELECT c.id, c.board_id AS "boardId", c.task_id AS "taskId", c.body, ${isoSql('c.created_at')} AS "createdAt", ${isoSql('c.edited_at')} AS "editedAt"
     FROM comments c WHERE c.author_id = $1 ORDER BY c.created_at, c.id`,
    [userId],
  );
}

async function notificationsOf(sql: Sql, userId: string): Promise<PersonalDataExport['notifications']> {
  return sql.query(
    `SELECT id, kind, board_id AS "boardId", task_id AS "taskId", task_title AS "taskTitle", summary,
            ${isoSql('created_at')} AS "createdAt", ${isoSql('read_at')} AS "readAt"
     FROM notifications WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
}

async function followsOf(sql: Sql, userId: string): Promise<PersonalDataExport['follows']> {
  return sql.query(
    `SELECT task_id AS "taskId", following, ${isoSql('updated_at')} AS "updatedAt" FROM task_follows WHERE user_id = $1 ORDER BY updated_at, task_id`,
    [userId],
  );
}

/**
 * History entries by the person, from the streams of every board they are tied to (the store is the
 * source). On a board they have left, only what they set stays: the values they replaced were others'.
 */
async function historyBy(
  store: EventStore,
  boardIds: readonly string[],
  memberOf: ReadonlySet<string>,
  userId: string,
): Promise<PersonalDataExport['history']> {
  const entries: (HistoryEntry & { boardId: string })[] = [];
  for (const boardId of boardIds) {
    const events = (await store.readStream(boardStreamId(boardId))).map(toEnvelope);
    for (const entry of historyOf(events, { actorId: userId })) {
      if (memberOf.has(boardId)) entries.push({ boardId, ...entry });
      // The summary names things as they were (others' titles): the event type says enough.
      else
        entries.push({
          boardId,
          ...entry,
          summary: entry.type,
          changes: entry.changes.map(({ field, to }) => ({ field, from: null, to })),
        });
    }
  }
  return entries;
}

export async function exportPersonalData(
  sql: Sql,
  store: EventStore,
  userId: string,
  now: Date,
): Promise<PersonalDataExport> {
  const row = await findUserById(sql, userId);
  if (!row) throw new DomainError('USER.NOT_FOUND', 'No such user');
  const [boards, tasksCreated, tasksAssigned, comments, notifications, follows] = await Promise.all([
    boardsOf(sql, userId),
    tasksWhere(sql, 't.created_by = $1', userId),
    tasksWhere(sql, '$1 = ANY (t.assignee_ids)', userId),
    commentsOf(sql, userId),
    notificationsOf(sql, userId),
    followsOf(sql, userId),
  ]);
  // Boards they left count for their history too (their own acts only, see historyBy).
  const touched = await sql.query<{ boardId: string }>(
    'SELECT DISTINCT board_id AS "boardId" FROM tasks WHERE created_by = $1 OR $1 = ANY (assignee_ids)',
    [userId],
  );
  const boardIds = [
    ...new Set([
      ...boards.map((b) => b.boardId),
      ...touched.map((t) => t.boardId),
      ...tasksAssigned.map((t) => t.boardId),
      ...comments.map((c) => c.boardId),
    ]),
  ];
  return {
    exportedAt: now.toISOString(),
    account: toUserDto(row),
    boards,
    tasksCreated,
    tasksAssigned,
    comments,
    notifications,
    follows,
    history: await historyBy(store, boardIds, new Set(boards.map((b) => b.boardId)), userId),
  };
}

/**
 * Erasure (GDPR art. 17). Events carry only user ids, so the history keeps the id and
 * nothing else; the read models hold no names or e-mails (names are joined from `users` at query
 * time and show as "" once the account is gone). What is removed, in one transaction: the account
 * row (refresh tokens cascade), their notifications and follow choices, the person's remembered
 * idempotent answers, and their name/e-mail
 * inside other people's remembered answers (e.g. "member added"), replaced by "[erased]": only the
 * fields that are theirs (see answerRedaction.ts), never every string that happens to equal the name.
 * Refuses to erase the last active admin. Board memberships are not here: the route takes the person
 * off their boards with board events first (dataCare.memberships.ts).
 */
/**
 * Other people's remembered answers that mention the person (by id or e-mail) get their name and
 * e-mail fields redacted; returns how many answers changed.
 */
async function redactRememberedAnswers(tx: SqlQueryable, person: ErasedPerson): Promise<number> {
  const candidates = await tx.query<{ user_id: string; key: string; body: unknown }>(
    `SELECT user_id, key, body FROM idempotency_keys
     WHERE body IS NOT NULL AND (strpos(body::text, $1) > 0 OR strpos(lower(body::text), lower($2)) > 0)
     FOR UPDATE`,
    [person.id, person.email],
  );
  let changed = 0;
  for (const candidate of candidates) {
    const redacted = redactPersonInAnswer(candidate.body, person);
    if (JSON.stringify(redacted) === JSON.stringify(candidate.body)) continue;
    await tx.query('UPDATE idempotency_keys SET body = $3 WHERE user_id = $1 AND key = $2', [
      candidate.user_id,
      candidate.key,
      JSON.stringify(redacted),
    ]);
    changed += 1;
  }
  return changed;
}

export async function eraseUser(
  sql: Sql,
  userId: string,
): Promise<{ readonly id: string; readonly redactedAnswers: number }> {
  return sql.tx(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [accountsLockKey]);
    const [row] = await tx.query<UserRow>(`SELECT ${userColumns} FROM users WHERE id = $1 FOR UPDATE`, [userId]);
    if (!row) throw new DomainError('USER.NOT_FOUND', 'No such user');
    if (row.role === 'admin' && !row.disabled) {
      const [others] = await tx.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1",
        [userId],
      );
      if ((others?.n ?? 0) === 0)
        throw new DomainError('USER.LAST_ADMIN', 'This is the last active admin: make another admin first');
    }
    await tx.query('DELETE FROM idempotency_keys WHERE user_id = $1', [userId]);
    // Their notifications (their mail outbox rows, whose errors may quote the address, cascade) and follow choices.
    await tx.query('DELETE FROM notifications WHERE user_id = $1', [userId]);
    await tx.query('DELETE FROM task_follows WHERE user_id = $1', [userId]);
    const redactedAnswers = await redactRememberedAnswers(tx, { id: userId, email: row.email });
    await tx.query('DELETE FROM users WHERE id = $1', [userId]);
    return { id: userId, redactedAnswers };
  });
}
