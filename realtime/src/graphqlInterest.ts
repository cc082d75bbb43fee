import { randomUUID } from 'node:crypto';
import type { Envelope } from '@primetrade/domain';
import type { Logger } from '@primetrade/platform';
import type { BoardInterest } from './boardFeed.js';
import type { RealtimeIo } from './socket.types.js';

/** One node's follow or unfollow of a board, as sent to the others. */
export interface InterestChange {
  readonly node: string;
  readonly boardId: string;
}

/** One node's whole interest, its answer to `graphql:interests`. */
export interface InterestList {
  readonly node: string;
  readonly boards: readonly string[];
}

export interface ClusterInterest extends BoardInterest {
  /** Of a batch this node consumed, the events some other node follows; all of them until the first sync. */
  wanted(events: readonly Envelope[]): readonly Envelope[];
  close(): void;
}

export interface ClusterInterestOptions {
  readonly logger: Logger;
  /** How often the whole interest is asked again (it drops nodes that stopped answering). Default 30 s. */
  readonly resyncMs?: number;
}

/**
 * Which boards the other realtime nodes have GraphQL followers of (docs/adr/0028-graphql-endpoint.md),
 * so that a node forwards (`serverSideEmit('board:feed')`) only the events someone elsewhere follows
 * instead of every batch it consumes. Questions to the other nodes wait as long as the adapter's
 * requests do (`RedisAdapterOptions.requestsTimeoutMs`).
 *
 * No event is lost to it. A node that starts following a board asks every other node to note it and
 * waits for their answers before it reads the board's stream (`BoardFeeds.listening`): an event a
 * node consumed before it noted the interest was stored before that, so the follow's read has it;
 * any later one is forwarded. Until a node has asked the others for their whole interest (at start,
 * again every `resyncMs`), it forwards everything, as before. A node that is gone is dropped when it
 * no longer answers a resync; until then its boards are forwarded to nobody, which costs a publish.
 */
export function createClusterInterest(io: RealtimeIo, options: ClusterInterestOptions): ClusterInterest {
  const node = randomUUID();
  const local = new Set<string>();
  /** Board id → the other nodes following it. */
  const followers = new Map<string, Set<string>>();
  let synced = false;
  let closed = false;

  const note = (from: string, boardId: string, following: boolean) => {
    const nodes = followers.get(boardId) ?? new Set<string>();
    if (following) followers.set(boardId, nodes.add(from));
    else if (nodes.delete(from) && nodes.size === 0) followers.delete(boardId);
  };
  const forget = (gone: string) => {
    for (const [boardId, nodes] of followers) if (nodes.delete(gone) && nodes.size === 0) followers.delete(boardId);
  };
  const known = () => new Set([...followers.values()].flatMap((nodes) => [...nodes]));

  io.on('graphql:follow', (change, ack) => {
    if (change.node !== node) note(change.node, change.boardId, true);
    ack();
  });
  io.on('graphql:unfollow', (change) => {
    if (change.node !== node) note(change.node, change.boardId, false);
  });
  io.on('graphql:interests', (ack) => ack({ node, boards: [...local] }));

  async function sync(): Promise<void> {
    try {
      const lists = await io.serverSideEmitWithAck('graphql:interests');
      const answered = new Set(lists.map((list) => list.node));
      for (const gone of known()) if (!answered.has(gone)) forget(gone);
      for (const list of lists) for (const boardId of list.boards) note(list.node, boardId, true);
      synced = true;
    } catch (error) {
      // A node did not answer in time: keep what is known (before the first sync, everything is
      // forwarded); the next resync tries again.
      if (!closed) options.logger.warn({ err: error }, 'realtime: could not ask the other nodes what they follow');
    }
  }
  void sync();
  const timer = setInterval(() => void sync(), options.resyncMs ?? 30_000);
  timer.unref();

  return {
    async follow(boardId) {
      local.add(boardId);
      try {
        await io.serverSideEmitWithAck('graphql:follow', { node, boardId });
      } catch (error) {
        // The follow goes on: a node that missed this forwards nothing of the board until the next
        // resync, and the follow reads any gap from the store when the next event shows it.
        options.logger.warn({ err: error, boardId }, 'realtime: a node did not confirm a GraphQL follow');
      }
    },
    unfollow(boardId) {
      local.delete(boardId);
      io.serverSideEmit('graphql:unfollow', { node, boardId });
    },
    wanted: (events) => (synced ? events.filter((event) => followers.has(event.boardId)) : events),
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}
