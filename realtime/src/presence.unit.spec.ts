import { createInMemoryPresenceStore } from './presence.js';
import { describePresenceStoreContract } from './presenceStore.contractSuite.js';

describePresenceStoreContract('in memory', createInMemoryPresenceStore);
