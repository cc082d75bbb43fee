import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  boardStreamId,
  boardStreamPrefix,
  decide,
  evolve,
  initialBoardState,
  type BoardCommand,
  type BoardEvent,
  type BoardState,
  type RecordedBoardEvent,
} from '@primetrade/domain';
import { applyEnvelopes } from '@primetrade/projector';
import {
  createPostgresSql,
  createSqlEventStore,
  createTestDatabase,
  toEnvelope,
  type EventStore,
  type Sql,
} from '@primetrade/platform';
import { interleaved, median, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';
import { jsonClient, startCommandNode } from './b2-command-api.js';

const boardEvents = 50_000;
const tasks = 1_000;
const requestsPerSample = 3;

/** Valid board events from the domain's own decider: tasks, then moves, renames and comments. */
function* boardHistory(boardId: string, ownerId: string): Generator<RecordedBoardEvent[]> {
  let state: BoardState = initialBoardState;
  let revision = 0;
  const columns = ['Backlog', 'To do', 'Doing', 'Review', 'Done'].map((name) => ({
    columnId: randomUUID(),
    name,
    isDone: name === 'Done',
  }));
  const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  const run = (command: Omit<BoardCommand, 'metadata'>, n: number): RecordedBoardEvent[] => {
    const events: BoardEvent[] = decide(
      { ...command, metadata: { now: at(n), actorId: ownerId } } as BoardCommand,
      state,
    );
    return events.map((event) => {
      const recorded = { ...event, revision: revision++, occurredAt: at(n), actorId: ownerId };
      state = evolve(state, recorded);
      return recorded;
    });
  };
  yield run({ type: 'CreateBoard', data: { boardId, name: '50,000 events', columns } }, 0);
  const taskIds = Array.from({ length: tasks }, () => randomUUID());
  for (let n = 0; revision < boardEvents; n++) {
    const taskId = taskIds[n % tasks] ?? '';
    const column = columns[(Math.floor(n / tasks) + 1) % 4]?.columnId ?? '';
    const command: Omit<BoardCommand, 'metadata'> =
      n < tasks
        ? { type: 'CreateTask', data: { taskId, title: `Task ${n}`, columnId: columns[0]?.columnId } }
        : n % 3 === 0
          ? { type: 'MoveTask', data: { taskId, columnId: column } }
          : n % 3 === 1
            ? { type: 'UpdateTask', data: { taskId, title: `Task ${taskId.slice(0, 4)} v${n}` } }
            : { type: 'AddComment', data: { taskId, commentId: randomUUID(), body: `Comment ${n}` } };
    yield run(command, n + 1);
  }
}

/** The projector's live path over the whole feed, 1,000 events a batch: read models, history rows, snapshots. */
async function project(sql: Sql, store: EventStore): Promise<number> {
  const started = performance.now();
  let after: string | null = null;
  for (;;) {
    const batch = await store.readAll({ after, streamPrefix: boardStreamPrefix, maxCount: 1_000 });
    if (batch.length === 0) return performance.now() - started;
    await applyEnvelopes(sql, batch.map(toEnvelope));
    after = batch.at(-1)?.position ?? after;
  }
}

async function timed(op: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < requestsPerSample; i++) {
    const start = performance.now();
    await op();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

export interface HistoryBench {
  readonly events: number;
  /** Live projection of the whole board (read models, history rows, snapshots), ms. */
  readonly projectedMs: number;
  readonly timeTravel: RatioResult;
  /** To the revision farthest from a snapshot below it (K-1 history rows to fold). */
  readonly timeTravelFar: RatioResult;
  readonly newestPage: RatioResult;
  readonly middlePage: RatioResult;
}

/**
 * B8: time travel to the middle of a 50,000-event board and history pages (newest, and one from the
 * middle), over HTTP on a command-api node, each vs a raw read of the same stream from PostgreSQL
 * (what any fold of the whole stream must do at least; the routes read the history read model and
 * the nearest snapshot instead, ADR 0020). Latency per sample: median of 3 requests, ms.
 */
export async function benchHistory(pairs: number): Promise<HistoryBench> {
  const database = await createTestDatabase('bench_b8', { max: 1 });
  const sql = createPostgresSql({ connectionString: database.url, max: 4 });
  const raw = new pg.Pool({ connectionString: database.url, max: 1 });
  const node = await startCommandNode(database.url);
  try {
    const api = jsonClient(node.url);
    const session = await api('POST', '/auth/register', null, {
      email: 'history@bench.test',
      password: 'benchmark password',
      name: 'Bench',
    });
    const token = String(session.accessToken);
    const ownerId = String((session.user as { id: string }).id);
    const store = await createSqlEventStore(sql, { pollIntervalMs: 60_000 });
    const boardId = randomUUID();
    let appended = 0;
    let batch: RecordedBoardEvent[] = [];
    const flush = async () => {
      const metadata = (event: RecordedBoardEvent) => ({
        occurredAt: event.occurredAt,
        actorId: event.actorId,
        correlationId: randomUUID(),
        causationId: null,
        schemaVersion: 1,
      });
      await store.appendToStream(
        boardStreamId(boardId),
        batch.map((event) => ({ id: randomUUID(), type: event.type, data: event.data, metadata: metadata(event) })),
        {
          expectedRevision: appended === 0 ? 'no_stream' : BigInt(appended - 1),
        },
      );
      appended += batch.length;
      batch = [];
    };
    for (const events of boardHistory(boardId, ownerId)) {
      batch.push(...events);
      if (batch.length >= 1000) await flush();
    }
    if (batch.length > 0) await flush();
    log(`  B8 board with ${appended} events written`);
    // History and time travel read the history read model (ADR 0020): the projector must have applied the board.
    const projectedMs = await project(sql, store);
    log(`  B8 board projected (read models, history rows, snapshots) in ${(projectedMs / 1000).toFixed(1)} s`);
    const middle = Math.floor(appended / 2);
    const rawRead = () =>
      raw.query(
        'SELECT revision, type, data, metadata FROM event_store.events WHERE stream_id = $1 ORDER BY revision',
        [boardStreamId(boardId)],
      );
    const get = (route: string) => () => api('GET', route, token);
    const compare = (name: string, route: string) =>
      interleaved({
        name,
        unit: 'ms',
        pairs,
        log,
        baseline: { label: 'raw SELECT of the stream', run: () => timed(rawRead) },
        subject: { label: `GET ${route.replace(boardId, ':id')}`, run: () => timed(get(route)) },
      });
    const timeTravel = await compare(
      'B8 time travel to the middle (50,000 events)',
      `/boards/${boardId}/at?revision=${middle}`,
    );
    // Snapshots follow revisions K-1, 2K-1, … (default K 1,000): this target folds 999 rows after one.
    const far = Math.floor(middle / 1_000) * 1_000 + 998;
    const timeTravelFar = await compare(
      'B8 time travel, 999 events past the nearest snapshot',
      `/boards/${boardId}/at?revision=${far}`,
    );
    const newestPage = await compare('B8 history, newest page of 50', `/boards/${boardId}/history?limit=50`);
    const middlePage = await compare(
      'B8 history, a page from the middle',
      `/boards/${boardId}/history?limit=50&before=${middle}`,
    );
    await store.close();
    return { events: appended, projectedMs, timeTravel, timeTravelFar, newestPage, middlePage };
  } finally {
    node.child.kill('SIGTERM');
    await raw.end();
    await sql.close();
    await database.drop();
  }
}
