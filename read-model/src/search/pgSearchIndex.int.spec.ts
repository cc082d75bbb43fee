import { readModelBackends } from '../testing/database.testkit.js';
import { createPgSearchIndex } from './pgSearchIndex.js';
import { searchIndexContract } from './searchIndex.contractSuite.js';

for (const backend of readModelBackends('search_index')) {
  searchIndexContract(`PostgreSQL full text on ${backend.name}`, async () => {
    const database = await backend.open();
    return { index: createPgSearchIndex(database.sql), close: () => database.drop() };
  });
}
