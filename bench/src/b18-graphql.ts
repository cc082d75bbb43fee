import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPostgresSql, createSqlEventStore, createTestDatabase, loadConfig } from '@primetrade/platform';
import { appendBigBoard } from '@primetrade/projector';
import { startEmbedded } from '@primetrade/server';
import { median, pairedRatio, type RatioResult } from './lib/measure.js';
import { log } from './lib/results.js';
import { timedRequest } from './lib/fetchJson.js';

const tasks = 1_000;
const readsPerSample = 20;

const taskFields =
  'id boardId columnId position title description priority dueDate assigneeIds labels status archived createdAt updatedAt completedAt';
/** The same data as `GET /boards/:id` answers: board, columns, every task, members. */
const wholeBoard = `query($id: ID!) { board(id: $id) { id name description archived createdAt updatedAt revision
  columns { id name position isDone wipLimit tasks { ${taskFields} createdBy { id } } }
  members { userId name role addedAt } } }`;
/** What a card list needs: titles and due dates only (GraphQL's "less over-fetching"). */
const cardsOnly = `query($id: ID!) { board(id: $id) { columns { name tasks { title dueDate } } } }`;

interface Session {
  readonly user: { readonly id: string };
  readonly accessToken: string;
}

async function call(url: string, method: string, route: string, token?: string, body?: unknown) {
  const answer = await timedRequest(url, method, route, token, body);
  if (!answer.ok || answer.text.includes('"errors"'))
    throw new Error(`B18 ${method} ${route}: ${answer.status} ${answer.text.slice(0, 200)}`);
  return { body: JSON.parse(answer.text) as unknown, ms: answer.ms, bytes: answer.bytes };
}

/** p50 of `readsPerSample` reads, ms, and the answer's size. */
async function sample(read: () => ReturnType<typeof call>): Promise<{ p50: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let index = 0; index < readsPerSample; index++) {
    const answer = await read();
    times.push(answer.ms);
    bytes = answer.bytes;
  }
  return { p50: median(times), bytes };
}

export interface GraphQLBench {
  readonly tasks: number;
  readonly whole: RatioResult;
  readonly cards: RatioResult;
  readonly bytes: { readonly rest: number; readonly whole: number; readonly cards: number };
}

/**
 * B18 (issue 15): the GraphQL board query against the REST board read in the same run, on the
 * embedded system in this process on a PostgreSQL database, a board of 1,000 tasks seeded by
 * `appendBigBoard`. Per pair: 20 reads of `GET /boards/:id`, then 20 of the GraphQL query asking for
 * the same data, then 20 of a query asking only for titles and due dates; p50 of each.
 */
export async function benchGraphQL(pairs: number): Promise<GraphQLBench> {
  const database = await createTestDatabase('bench_b18', { max: 1 });
  const sql = createPostgresSql({ connectionString: database.url, max: 8 });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'pt-b18-'));
  const system = await startEmbedded({
    config: loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      WEB_ROOT: '',
      RATE_LIMIT_API_PER_MINUTE: '10000000',
      ACCESS_TOKEN_TTL_SECONDS: '7200',
    }),
    sql,
  });
  try {
    const { body } = await call(system.url, 'POST', '/auth/register', undefined, {
      email: 'graphql@bench.test',
      password: 'benchmark password',
      name: 'Bench',
    });
    const session = body as Session;
    const token = session.accessToken;
    const created = await call(system.url, 'POST', '/boards', token, { name: 'B18' });
    const view = created.body as { board: { id: string }; columns: { id: string }[]; revision: number };
    const boardId = view.board.id;
    const store = await createSqlEventStore(sql, { pollIntervalMs: 60_000 });
    const revision = await appendBigBoard(store, {
      boardId,
      actorId: session.user.id,
      columnIds: view.columns.map((column) => column.id),
      revision: view.revision,
      tasks,
    });
    await store.close();
    for (;;) {
      const read = (await call(system.url, 'GET', `/boards/${boardId}`, token)).body as { revision: number };
      if (read.revision === revision) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const rest = () => call(system.url, 'GET', `/boards/${boardId}`, token);
    const graphql = (query: string) => () =>
      call(system.url, 'POST', '/graphql', token, { query, variables: { id: boardId } });
    await sample(rest); // warm both paths before measuring
    await sample(graphql(wholeBoard));
    const samples = { rest: [] as number[], whole: [] as number[], cards: [] as number[] };
    const bytes = { rest: 0, whole: 0, cards: 0 };
    for (let pair = 0; pair < pairs; pair++) {
      const r = await sample(rest);
      const w = await sample(graphql(wholeBoard));
      const c = await sample(graphql(cardsOnly));
      samples.rest.push(r.p50);
      samples.whole.push(w.p50);
      samples.cards.push(c.p50);
      Object.assign(bytes, { rest: r.bytes, whole: w.bytes, cards: c.bytes });
      log(
        `  B18 pair ${pair + 1}/${pairs}: REST ${r.p50.toFixed(1)} ms, GraphQL whole ${w.p50.toFixed(1)} ms, cards ${c.p50.toFixed(1)} ms`,
      );
    }
    const ratio = (name: string, subject: string, values: number[], goal: string) =>
      pairedRatio({
        name,
        unit: 'ms',
        baseline: { label: 'GET /boards/:id', samples: samples.rest },
        subject: { label: subject, samples: values },
        goal,
      });
    return {
      tasks,
      whole: ratio(`B18 board of ${tasks} tasks, same data, p50`, 'GraphQL board query', samples.whole, '≤ 2×'),
      cards: ratio(
        `B18 board of ${tasks} tasks, titles and due dates only, p50`,
        'GraphQL cards query',
        samples.cards,
        '—',
      ),
      bytes,
    };
  } finally {
    await system.close();
    await sql.close();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
