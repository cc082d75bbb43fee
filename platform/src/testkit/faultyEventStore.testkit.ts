import type { EventStore } from '../eventStore/eventStore.port.js';

/**
 * Test-only: the store with `beforeAppend` run before every append is handed on (docs/testing.md,
 * fault 1). For the in-memory store, whose append is one synchronous step, that is the same as
 * "before the commit": waiting delays the append, throwing refuses it with nothing written.
 */
export function faultyAppends(store: EventStore, beforeAppend: (streamId: string) => Promise<void>): EventStore {
  return {
    ...store,
    async appendToStream(streamId, events, options) {
      await beforeAppend(streamId);
      return store.appendToStream(streamId, events, options);
    },
  };
}
