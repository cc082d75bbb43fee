import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BoardViewDto, Envelope, TaskDto } from '@primetrade/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, connectToBoard, type BoardSocket } from './kit/api.js';
import { startServer, tempDir, type ServerProcess } from './kit/process.js';
import { eventually } from './kit/eventually.js';

interface Session {
  readonly user: { id: string; role: string };
  readonly accessToken: string;
}

const revisions = (events: readonly Envelope[]) => events.map((event) => event.revision);

describe('Embedded product, as two people use it', () => {
  let data: Awaited<ReturnType<typeof tempDir>>;
  let server: ServerProcess;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    data = await tempDir('pt-e2e');
    server = await startServer({ DATA_DIR: data.dir });
    api = apiClient(server.url);
  });

  afterAll(async () => {
    await server?.stop();
    await data?.remove();
  });

  it('answers /healthz', async () => {
    const response = await api('GET', '/healthz');
    expect(response.status).toBe(200);
  });

  it('lets two users collaborate on one board, each seeing the other’s changes pushed in revision order', async () => {
    const alice = (
      await api<Session>('POST', '/api/v1/auth/register', {
        body: { email: 'alice@example.test', password: 'correct horse battery', name: 'Alice' },
      })
    ).body;
    const bob = (
      await api<Session>('POST', '/api/v1/auth/register', {
        body: { email: 'bob@example.test', password: 'staple battery horse', name: 'Bob' },
      })
    ).body;
    expect(alice.user.role).toBe('admin');
    expect(bob.user.role).toBe('user');

    const created = await api<BoardViewDto>('POST', '/api/v1/boards', {
      token: alice.accessToken,
      body: { name: 'Launch' },
    });
    expect(created.status).toBe(201);
    const boardId = created.body.board.id;
    const todo = created.body.columns[0]!;
    const done = created.body.columns.find((column) => column.isDone)!;

    const added = await api('POST', `/api/v1/boards/${boardId}/members`, {
      token: alice.accessToken,
      body: { email: 'bob@example.test', role: 'editor' },
    });
    expect(added.status).toBe(201);

    // Joining needs the membership projected; the projector runs a few ms behind the command.
    const connect = (token: string) =>
      eventually(() => connectToBoard(server.url, token, boardId), 'joined the board', 10_000);
    const sockets: BoardSocket[] = [await connect(alice.accessToken), await connect(bob.accessToken)];
    try {
      const task = await api<TaskDto>('POST', `/api/v1/boards/${boardId}/tasks`, {
        token: alice.accessToken,
        body: { title: 'Write the launch post', priority: 'high' },
      });
      expect(task.status).toBe(201);
      const taskId = task.body.id;
      const steps = [
        api('PATCH', `/api/v1/tasks/${taskId}`, {
          token: bob.accessToken,
          body: { title: 'Write and publish the launch post' },
        }),
        api('POST', `/api/v1/tasks/${taskId}/move`, { token: alice.accessToken, body: { columnId: done.id } }),
        api('POST', `/api/v1/tasks/${taskId}/comments`, { token: bob.accessToken, body: { body: 'Published!' } }),
        api('POST', `/api/v1/tasks/${taskId}/move`, { token: bob.accessToken, body: { columnId: todo.id } }),
      ];
      for (const step of steps) expect((await step).status).toBeLessThan(300);
      const removed = await eventually(
        async () => {
          const response = await api('DELETE', `/api/v1/tasks/${taskId}`, { token: alice.accessToken });
          return response.status === 204 ? response : undefined;
        },
        'the task deleted',
        10_000,
      );
      const finalRevision = Number(/\d+/.exec(removed.headers.get('etag') ?? '')?.[0]);

      await Promise.all(sockets.map((socket) => socket.waitForRevision(finalRevision)));
      const [seenByAlice, seenByBob] = sockets.map((socket) => socket.received);
      // Both saw the same events, in strictly ascending, gap-free revision order.
      expect(revisions(seenByAlice!)).toEqual(revisions(seenByBob!));
      const seen = revisions(seenByAlice!);
      expect(seen).toEqual(Array.from({ length: seen.length }, (_, index) => seen[0]! + index));
      expect(seen.at(-1)).toBe(finalRevision);
      const types = seenByAlice!.map((event) => event.type);
      expect(types).toEqual(
        expect.arrayContaining([
          'TaskCreated',
          'TaskTitleChanged',
          'TaskMoved',
          'TaskCompleted',
          'CommentAdded',
          'TaskReopened',
          'TaskDeleted',
        ]),
      );
      expect(new Set(seenByBob!.map((event) => event.actorId))).toEqual(new Set([alice.user.id, bob.user.id]));

      // The read model catches up to the same revision.
      const view = await eventually(
        async () => {
          const response = await api<BoardViewDto>('GET', `/api/v1/boards/${boardId}`, { token: bob.accessToken });
          return response.body.revision === finalRevision ? response.body : undefined;
        },
        'the read model reached the final revision',
        10_000,
      );
      expect(view.tasks).toEqual([]);
      expect(view.members.map((member) => member.name).sort()).toEqual(['Alice', 'Bob']);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });

  it('keeps its data directory (the database, its write-ahead log, the JWT secret) to its owner', async () => {
    const modeOf = async (entry: string) => (await stat(path.join(data.dir, entry))).mode & 0o777;
    // Nothing inside is reachable by others through a directory only its owner may enter…
    expect(await modeOf('.')).toBe(0o700);
    expect(await modeOf('pglite')).toBe(0o700);
    // …and what exists at start (PGlite opens every file 0666) is the owner's only as well.
    expect(await modeOf('jwt-secret')).toBe(0o600);
    expect(await modeOf('pglite/PG_VERSION')).toBe(0o600);
    const walSegments = (await readdir(path.join(data.dir, 'pglite/pg_wal'))).filter((name) =>
      /^[0-9A-F]{24}$/.test(name),
    );
    expect(walSegments.length).toBeGreaterThan(0);
    for (const segment of walSegments) expect(await modeOf(`pglite/pg_wal/${segment}`), segment).toBe(0o600);
  });

  it('shuts down gracefully on SIGTERM and keeps its data across a restart', async () => {
    const login = await api<Session>('POST', '/api/v1/auth/login', {
      body: { email: 'alice@example.test', password: 'correct horse battery' },
    });
    const boards = await api<{ items: { id: string; revision: number }[] }>('GET', '/api/v1/boards', {
      token: login.body.accessToken,
    });
    expect(boards.body.items).toHaveLength(1);

    expect(await server.stop('SIGTERM')).toBe(0);
    server = await startServer({ DATA_DIR: data.dir });
    api = apiClient(server.url);

    const again = await api<Session>('POST', '/api/v1/auth/login', {
      body: { email: 'alice@example.test', password: 'correct horse battery' },
    });
    expect(again.status).toBe(200);
    const after = await api<{ items: { id: string; revision: number }[] }>('GET', '/api/v1/boards', {
      token: again.body.accessToken,
    });
    expect(after.body.items).toEqual(boards.body.items);
  });
});
