import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ClientCommand, ClientReply, NodeCommand, NodeReply } from './socketProtocol.js';

const benchDist = path.resolve(import.meta.dirname, '..');

/** A forked child that answers IPC commands one at a time; `stop()` ends it (SIGTERM) and waits. */
interface Child<Command, Reply> {
  readonly pid: number;
  request<T extends Reply>(command: Command, accept: (reply: Reply) => reply is T): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Thousands of sockets need as many file descriptors, often above the soft limit (1,024 by
 * default): the child raises its soft limit to the hard one, then `exec`s Node (same pid, IPC kept).
 */
const raiseFileLimit = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

/** Runs bench/dist/`script` in a Node process of its own with an IPC channel, its file limit raised. */
export function spawnNode(script: string, env: Record<string, string>, execArgv: string[] = []): ChildProcess {
  const node = [globalThis.process.execPath, ...execArgv, path.join(benchDist, script)];
  return spawn('/bin/sh', ['-c', raiseFileLimit, 'sh', ...node], {
    env: { PATH: globalThis.process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function child<Command, Reply>(script: string, env: Record<string, string>, execArgv: string[] = []) {
  const process = spawnNode(script, env, execArgv);
  const exited = new Promise<void>((resolve) => process.once('exit', () => resolve()));
  const result: Child<Command, Reply> & { process: ChildProcess } = {
    pid: process.pid!,
    process,
    request<T extends Reply>(command: Command, accept: (reply: Reply) => reply is T) {
      return new Promise<T>((resolve, reject) => {
        const onMessage = (reply: Reply) => {
          if (!accept(reply)) return;
          process.off('message', onMessage);
          resolve(reply);
        };
        process.on('message', onMessage);
        void exited.then(() => reject(new Error(`${script} exited (${process.exitCode ?? process.signalCode})`)));
        process.send(command as object);
      });
    },
    async stop() {
      if (process.exitCode === null && process.signalCode === null) process.kill('SIGTERM');
      await exited;
    },
  };
  return result;
}

export type ClientProcess = Child<ClientCommand, ClientReply>;

/** A process of client sockets (`socketClients.ts`). */
export const startClientProcess = (): ClientProcess => child<ClientCommand, ClientReply>('socketClients.js', {});

export async function connectClients(
  processes: readonly ClientProcess[],
  command: Omit<Extract<ClientCommand, { type: 'connect' }>, 'count' | 'type'>,
  total: number,
): Promise<number> {
  const replies = await Promise.all(
    processes.map((client, n) => {
      const count = Math.floor(total / processes.length) + (n < total % processes.length ? 1 : 0);
      return client.request(
        { ...command, type: 'connect', count },
        (reply): reply is Extract<ClientReply, { type: 'connected' }> => reply.type === 'connected',
      );
    }),
  );
  const failed = replies.reduce((sum, reply) => sum + reply.failed, 0);
  if (failed > 0)
    throw new Error(`${failed} sockets failed to connect: ${replies.find((r) => r.firstError)?.firstError}`);
  return replies.reduce((sum, reply) => sum + reply.count, 0);
}

export type SocketNode = Child<NodeCommand, NodeReply> & { readonly url: string };

/** A socket server (`idleSocketNode.ts`), garbage collection exposed so memory is read after it. */
export async function startSocketNode(env: Record<string, string>): Promise<SocketNode> {
  const node = child<NodeCommand, NodeReply>('idleSocketNode.js', env, ['--expose-gc']);
  const url = await new Promise<string>((resolve, reject) => {
    node.process.on('message', (reply: NodeReply) => {
      if (reply.type === 'listening') resolve(reply.url);
    });
    node.process.once('exit', () => reject(new Error('the socket node exited before listening')));
  });
  return { ...node, url };
}

let settleId = 0;

/** Collects the node's garbage and answers how many sockets it holds. */
export async function settle(node: SocketNode): Promise<number> {
  const id = (settleId += 1);
  const reply = await node.request(
    { type: 'settle', id },
    (answer): answer is Extract<NodeReply, { type: 'settled' }> => answer.type === 'settled' && answer.id === id,
  );
  return reply.sockets;
}
