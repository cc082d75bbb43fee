import type { BulkReads, Position, StoredEvent } from '@primetrade/platform';

/**
 * The bulk rebuild's read (docs/adr/0031-bulk-rebuild.md): the store's board events up to a fixed
 * end of the feed, board by board (stream id, then revision), in chunks of whole boards: a chunk
 * ends before the board its page ended in, which opens the next chunk, so two chunks in flight at
 * once never share a board. A board's events come together, so the projections write each row once
 * from its final state instead of once per batch it appears in. A board longer than `chunkSize`
 * goes alone, in parts, each the next chunk (applied only after the one before it committed). Memory: at most one page plus the carried part of one
 * board, i.e. under 2 × `chunkSize` events.
 */
export interface BulkFeed {
  /** The fixed end: every event at or before it is in the chunks, none after it. Null: no events. */
  readonly end: Position | null;
  /** The chunks in order; the next one is read while the caller handles the current one. */
  chunks(): AsyncGenerator<StoredEvent[]>;
}

export async function openBulkFeed(bulk: BulkReads, streamPrefix: string, chunkSize: number): Promise<BulkFeed> {
  if (!Number.isInteger(chunkSize) || chunkSize < 1)
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  const end = await bulk.feedEnd(streamPrefix);
  return {
    end,
    async *chunks() {
      if (end === null) return;
      const read = (after: StoredEvent | null) =>
        bulk.readByStream({
          streamPrefix,
          upTo: end,
          after: after ? { streamId: after.streamId, revision: after.revision } : null,
          maxCount: chunkSize,
        });
      let next: Promise<StoredEvent[]> | null = read(null);
      let carried: StoredEvent[] = [];
      try {
        while (next !== null) {
          const page: StoredEvent[] = await next;
          const last = page.at(-1);
          next = last && page.length === chunkSize ? read(last) : null;
          const events = carried.length > 0 ? carried.concat(page) : page;
          if (!next) {
            if (events.length > 0) yield events;
            return;
          }
          const open = events.at(-1)!.streamId;
          let cut = events.length;
          while (cut > 0 && events[cut - 1]!.streamId === open) cut -= 1;
          // All one board: it goes as it is; the next chunk continues it (the loader applies that one alone).
          if (cut === 0) cut = events.length;
          carried = events.slice(cut);
          yield cut === events.length ? events : events.slice(0, cut);
        }
      } finally {
        // A consumer that stopped early (a failed write) must not leave a read unobserved.
        await next?.catch(() => undefined);
      }
    },
  };
}
