import { createInMemoryPresenceStore } from './presence.js';
import { describePresenceStoreContract } from './presenceStore.contract.js';

describePresenceStoreContract('in memory', createInMemoryPresenceStore);
