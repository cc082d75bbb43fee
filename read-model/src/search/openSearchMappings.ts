/**
 * The OpenSearch indexes of the search port (docs/adr/0024-search-engine.md). One shard: exact
 * facet counts and one scoring for every document; no replica on a single node (green). Text is
 * analysed like the PostgreSQL adapter's `search_folded` configuration (standard tokenizer, lower
 * case, accents folded, no stemming), so both adapters match the same words.
 */
const single = { number_of_shards: 1, number_of_replicas: 0 };
const keyword = { type: 'keyword' } as const;

export const taskIndexBody = {
  settings: {
    index: { ...single, refresh_interval: '1s' },
    analysis: {
      // asciifolding: "cafe" finds "Café" (PostgreSQL: unaccent, migration 012).
      analyzer: { task_text: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] } },
    },
  },
  mappings: {
    dynamic: 'strict',
    properties: {
      id: keyword,
      boardId: keyword,
      columnId: keyword,
      title: { type: 'text', analyzer: 'task_text' },
      description: { type: 'text', analyzer: 'task_text' },
      labels: { type: 'keyword', fields: { text: { type: 'text', analyzer: 'task_text' } } },
      comments: { type: 'text', analyzer: 'task_text' },
      assigneeIds: keyword,
      priority: keyword,
      priorityRank: { type: 'byte' },
      dueDate: { type: 'date' },
      status: keyword,
      archived: { type: 'boolean' },
      createdAt: { type: 'date' },
      updatedAt: { type: 'date' },
      revision: { type: 'long' },
    },
  },
};

/** Per user: the boards they may see (read by every search's terms lookup). */
export const accessIndexBody = {
  settings: { index: single },
  mappings: { dynamic: 'strict', properties: { boardIds: keyword } },
};

/** Per board: the last applied revision and its members. */
export const boardIndexBody = {
  settings: { index: single },
  mappings: { dynamic: 'strict', properties: { revision: { type: 'long' }, memberIds: keyword } },
};
