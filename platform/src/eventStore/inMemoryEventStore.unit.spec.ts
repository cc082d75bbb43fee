import { eventStoreContract } from './eventStore.contract.js';
import { createInMemoryEventStore } from './inMemoryEventStore.js';

eventStoreContract('in memory', async (hooks) => {
  const store = createInMemoryEventStore(hooks ? { testHooks: hooks } : {});
  return { store, cleanup: () => store.close() };
});
