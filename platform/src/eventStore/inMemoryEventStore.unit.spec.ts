import { eventStoreContract } from './eventStore.contractSuite.js';
import { createInMemoryEventStore } from './inMemoryEventStore.js';
import { faultyAppends } from '../testkit/faultyEventStore.testkit.js';

eventStoreContract('in memory', async (fault) => {
  const store = createInMemoryEventStore();
  return { store: fault ? faultyAppends(store, fault) : store, cleanup: () => store.close() };
});
