import type { EventStore } from './eventStore.port.js';
import type { EventStoreDbEventStoreOptions } from './eventStoreDbEventStore.js';

export type { EventStoreDbEventStoreOptions } from './eventStoreDbEventStore.js';

/**
 * The EventStoreDB adapter, loaded when a process first opens it: its gRPC client costs ~10–15 MB
 * resident once loaded, which the PostgreSQL and embedded (PGlite) setups never need
 * (docs/operations.md "Memory").
 */
export async function openEventStoreDbEventStore(
  options: EventStoreDbEventStoreOptions,
): Promise<EventStore & { close(): Promise<void> }> {
  const { createEventStoreDbEventStore } = await import('./eventStoreDbEventStore.js');
  return createEventStoreDbEventStore(options);
}
