import { eventBusContract } from './eventBus.contractSuite.js';
import { createInProcessEventBus } from './inProcessEventBus.js';

eventBusContract('in-process', async () => {
  const bus = createInProcessEventBus();
  return { bus, cleanup: () => bus.close() };
});
