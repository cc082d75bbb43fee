import { boardRoom, userRoom, type Envelope } from '@primetrade/domain';
import {
  SpanKind,
  correlationIdsOf,
  inEventSpans,
  type BusSubscription,
  type EventBus,
  type Logger,
  type Metrics,
} from '@primetrade/platform';
import type { Presence } from './presence.js';
import type { Removals } from './removals.js';
import type { RealtimeIo } from './socket.types.js';

export const realtimeConsumerGroup = 'realtime';

/** Per board, ascending revision, one copy per revision (the bus is at-least-once). */
export function groupByBoard(events: readonly Envelope[]): Map<string, Envelope[]> {
  const byBoard = new Map<string, Map<number, Envelope>>();
  for (const event of events) {
    const revisions = byBoard.get(event.boardId) ?? new Map<number, Envelope>();
    revisions.set(event.revision, event);
    byBoard.set(event.boardId, revisions);
  }
  return new Map(
    [...byBoard].map(([boardId, revisions]) => [
      boardId,
      [...revisions.values()].sort((a, b) => a.revision - b.revision),
    ]),
  );
}

/**
 * Kafka → room fan-out (docs/architecture.md). With the Redis adapter, `io.to(room)` and
 * `socketsLeave` reach every realtime node, so one consumer per event is enough.
 */
export function createFanout(
  io: RealtimeIo,
  presence: Presence,
  logger: Logger,
  removals?: Removals,
  metrics?: Partial<Pick<Metrics, 'pushLatency'>>,
): (events: readonly Envelope[]) => Promise<void> {
  const push = async function publish(events: readonly Envelope[]): Promise<void> {
    for (const [boardId, batch] of groupByBoard(events)) {
      io.to(boardRoom(boardId)).emit('board:events', { boardId, events: batch });
      pushed(boardId, batch, logger, metrics);
      // After the emit, so a removed member still sees its own removal and can close the board.
      for (const event of batch) {
        // A failed readmit only keeps a stale removal mark, which `board:join` overrides once the read
        // model shows the membership again; failing the batch would stall this partition's pushes.
        if (event.type === 'MemberAdded') {
          await removals
            ?.readmit(boardId, event.data.userId)
            .catch((error: unknown) =>
              logger.warn({ err: error, boardId }, 'realtime: could not clear a removal mark'),
            );
        }
        if (event.type !== 'MemberRemoved') continue;
        // Recorded before the sockets leave, so a join racing this either is made to leave or sees
        // the removal. A failure to record fails the batch (the bus delivers it again, clients ignore
        // revisions they have) rather than leave a window where the removed member could rejoin.
        try {
          await removals?.record(boardId, event.data.userId, event.revision);
        } finally {
          io.in(userRoom(event.data.userId)).socketsLeave(boardRoom(boardId));
        }
        await presence
          .evictUser(boardId, event.data.userId)
          .catch((error: unknown) => logger.warn({ err: error, boardId }, 'realtime: presence eviction failed'));
      }
    }
  };
  return (events) => inEventSpans('realtime.push', { kind: SpanKind.PRODUCER }, events, push);
}

/** The end-to-end figure (command → emit) and a log line that ties the push to its requests. */
function pushed(
  boardId: string,
  batch: readonly Envelope[],
  logger: Logger,
  metrics: Partial<Pick<Metrics, 'pushLatency'>> | undefined,
): void {
  const now = Date.now();
  for (const event of batch) {
    const occurred = Date.parse(event.occurredAt);
    if (Number.isFinite(occurred)) metrics?.pushLatency?.observe(Math.max(0, now - occurred) / 1000);
  }
  logger.debug(
    { boardId, events: batch.length, fromRevision: batch[0]?.revision, correlationIds: correlationIdsOf(batch) },
    'realtime: pushed',
  );
}

/** Subscribes the realtime node to the bus (its own consumer group) and pushes every batch. */
export function createFanoutConsumer(
  bus: EventBus,
  server: { publish(events: readonly Envelope[]): Promise<void> },
): Promise<BusSubscription> {
  return bus.subscribe(realtimeConsumerGroup, (events) => server.publish(events));
}
