import type { Envelope } from '@primetrade/domain';
import { io, type Socket } from 'socket.io-client';

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** A tiny HTTP client for system tests: JSON in, JSON (or problem+json) out. */
export function apiClient(baseUrl: string) {
  return async function request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    const body = (text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text) as T;
    return { status: response.status, headers: response.headers, body };
  };
}

export interface BoardSocket {
  readonly socket: Socket;
  /** Every envelope received for the board, in arrival order. */
  readonly received: Envelope[];
  waitForRevision(revision: number, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function connectToBoard(baseUrl: string, token: string, boardId: string): Promise<BoardSocket> {
  const socket = io(baseUrl, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const received: Envelope[] = [];
  const waiters = new Set<() => void>();
  socket.on('board:events', (payload: { boardId: string; events: Envelope[] }) => {
    if (payload.boardId !== boardId) return;
    received.push(...payload.events);
    for (const wake of waiters) wake();
  });
  const ack = (await socket.timeout(5000).emitWithAck('board:join', { boardId })) as { ok: boolean };
  if (!ack.ok) throw new Error(`board:join refused: ${JSON.stringify(ack)}`);
  return {
    socket,
    received,
    waitForRevision(revision, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (received.some((event) => event.revision >= revision)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`revision ${revision} not received; got ${received.map((e) => e.revision).join(',')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => socket.close(),
  };
}
