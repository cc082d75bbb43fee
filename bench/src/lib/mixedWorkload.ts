import { seededRandom } from '@primetrade/platform';
import { io as connect } from 'socket.io-client';
import type { Operation } from './steps.js';

/** The shape of the seed's load: users spread over boards, every user on one board with a socket. */
export interface WorkloadShape {
  readonly users: number;
  readonly boards: number;
  readonly tasksPerBoard: number;
}

interface BoardState {
  readonly id: string;
  readonly columnIds: string[];
  readonly taskIds: string[];
}

interface User {
  readonly email: string;
  readonly token: string;
  readonly board: BoardState;
}

const words = ['alpha', 'budget', 'customer', 'deploy', 'export', 'invoice', 'launch', 'metrics', 'review', 'search'];
const priorities = ['low', 'medium', 'high', 'urgent'] as const;

async function call<T>(url: string, method: string, token: string | null, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 200)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>) {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!, index);
      }
    }),
  );
  return results;
}

const title = (draw: () => number, n: number) =>
  `${words[Math.floor(draw() * words.length)]} ${words[Math.floor(draw() * words.length)]} task ${n}`;

/**
 * Registers the users through the API, gives each group of users a board (the first one owns it,
 * the others are editors), seeds its tasks, and reads back its columns.
 */
export async function seedWorkload(baseUrl: string, shape: WorkloadShape, log: (line: string) => void) {
  const api = `${baseUrl}/api/v1`;
  const draw = seededRandom(13);
  const started = performance.now();
  const emails = Array.from({ length: shape.users }, (_, n) => `user${n}@b10.bench.test`);
  const tokens = await pool(emails, 8, async (email) => {
    const answer = await call<{ accessToken: string }>(`${api}/auth/register`, 'POST', null, {
      email,
      password: `${email} password for the bench`,
      name: email.split('@')[0],
    });
    return answer.accessToken;
  });
  log(`    ${shape.users} users registered in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const perBoard = Math.ceil(shape.users / shape.boards);
  const boardIndexes = Array.from({ length: shape.boards }, (_, b) => b);
  const boards = await pool(boardIndexes, 8, async (b) => {
    const owner = tokens[b * perBoard]!;
    const view = await call<{ board: { id: string }; columns: { id: string }[] }>(`${api}/boards`, 'POST', owner, {
      name: `Board ${b}`,
    });
    const board: BoardState = { id: view.board.id, columnIds: view.columns.map((c) => c.id), taskIds: [] };
    for (let m = b * perBoard + 1; m < Math.min((b + 1) * perBoard, shape.users); m += 1)
      await call(`${api}/boards/${board.id}/members`, 'POST', owner, { email: emails[m], role: 'editor' });
    for (let t = 0; t < shape.tasksPerBoard; t += 1) {
      const task = await call<{ id: string }>(`${api}/boards/${board.id}/tasks`, 'POST', owner, {
        title: title(draw, t),
        priority: priorities[t % priorities.length],
      });
      board.taskIds.push(task.id);
    }
    return board;
  });
  log(
    `    ${shape.boards} boards with ${perBoard} members and ${shape.tasksPerBoard} tasks each, after ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const users: User[] = emails.map((email, n) => ({
    email,
    token: tokens[n]!,
    board: boards[Math.floor(n / perBoard)]!,
  }));
  return { api, users, boards };
}

export type SeededWorkload = Awaited<ReturnType<typeof seedWorkload>>;

/** One socket per user through the entry point, joined to the user's board; counts the events they receive. */
export async function connectUsers(baseUrl: string, users: SeededWorkload['users']) {
  let received = 0;
  const sockets = await pool(users, 16, async (user) => {
    const socket = connect(baseUrl, { auth: { token: user.token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.on('board:events', (payload: { events: unknown[] }) => (received += payload.events.length));
    // The read model learns a membership a moment after the write: join again until it has.
    for (let attempt = 0; ; attempt += 1) {
      const ack = (await socket.timeout(10_000).emitWithAck('board:join', { boardId: user.board.id })) as {
        ok: boolean;
      };
      if (ack.ok) return socket;
      if (attempt > 100) throw new Error(`board:join refused: ${JSON.stringify(ack)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  return { sockets, received: () => received };
}

/** The request mix: shares of the whole, reads (80%) then writes (20%). */
export const mix = {
  'board view': 0.2,
  'task list page': 0.2,
  search: 0.2,
  stats: 0.2,
  'create task': 0.08,
  'move task': 0.06,
  'update task': 0.06,
} as const;

export type Kind = keyof typeof mix;
export const readKinds: readonly Kind[] = ['board view', 'task list page', 'search', 'stats'];
export const writeKinds: readonly Kind[] = ['create task', 'move task', 'update task'];

/**
 * Draws the next request: a random user acting on their board, the kind by `mix` (only among
 * `only`, their shares scaled up, when given: the reads or the writes alone).
 */
export function workload(seeded: SeededWorkload, seed = 42, only?: readonly Kind[]): (i: number) => Operation {
  const draw = seededRandom(seed);
  const kinds = (Object.entries(mix) as [Kind, number][]).filter(([kind]) => !only || only.includes(kind));
  const total = kinds.reduce((sum, [, share]) => sum + share, 0);
  const { api, users } = seeded;
  const pickKind = (): Kind => {
    let left = draw() * total;
    for (const [kind, share] of kinds) if ((left -= share) < 0) return kind;
    return kinds[0]![0];
  };
  const requests: Record<Kind, (user: User, i: number) => Promise<unknown>> = {
    'board view': (user) => call(`${api}/boards/${user.board.id}`, 'GET', user.token),
    'task list page': (user) => call(`${api}/boards/${user.board.id}/tasks?limit=50`, 'GET', user.token),
    search: (user) =>
      call(
        `${api}/boards/${user.board.id}/tasks?q=${words[Math.floor(draw() * words.length)]}&limit=20`,
        'GET',
        user.token,
      ),
    stats: (user) => call(`${api}/boards/${user.board.id}/stats`, 'GET', user.token),
    'create task': async (user, i) => {
      const task = await call<{ id: string }>(`${api}/boards/${user.board.id}/tasks`, 'POST', user.token, {
        title: title(draw, i),
      });
      user.board.taskIds.push(task.id);
    },
    'move task': (user) => {
      const { columnIds, taskIds } = user.board;
      const taskId = taskIds[Math.floor(draw() * taskIds.length)]!;
      const columnId = columnIds[Math.floor(draw() * columnIds.length)]!;
      return call(`${api}/tasks/${taskId}/move`, 'POST', user.token, { columnId });
    },
    'update task': (user) => {
      const taskId = user.board.taskIds[Math.floor(draw() * user.board.taskIds.length)]!;
      return call(`${api}/tasks/${taskId}`, 'PATCH', user.token, {
        priority: priorities[Math.floor(draw() * priorities.length)],
      });
    },
  };
  return (i) => {
    const user = users[Math.floor(draw() * users.length)]!;
    const kind = pickKind();
    return { kind, run: async () => void (await requests[kind](user, i)) };
  };
}

/** The same-run baseline: a trivial authenticated read (`GET /me`) by the same users, through the same entry point. */
export function trivialRead(seeded: SeededWorkload, seed = 7): (i: number) => Operation {
  const draw = seededRandom(seed);
  return () => {
    const user = seeded.users[Math.floor(draw() * seeded.users.length)]!;
    return { kind: 'GET /me', run: async () => void (await call(`${seeded.api}/me`, 'GET', user.token)) };
  };
}
