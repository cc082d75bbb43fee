import { Client } from '@opensearch-project/opensearch';
import { DomainError, priorities } from '@primetrade/domain';
import { isUuid } from '../queries/cursor.js';
import { openSearchQuery, type OpenSearchHits } from './openSearchQuery.js';
import { assertNoGaps, type SearchBoardChange, type SearchIndex, type SearchResult } from './searchIndex.port.js';
import { taskIndexBody, accessIndexBody, boardIndexBody } from './openSearchMappings.js';

/**
 * The search port on OpenSearch (docs/adr/0024-search-engine.md). Three indexes per generation,
 * each read and written through an alias (`<prefix>-tasks`, `-access`, `-boards`), so a rebuild
 * fills generation n+1 beside the live one and `promote` moves the three aliases in one atomic
 * `_aliases` call: searches never see a half-built index.
 *
 * - tasks: one document per task, versioned externally by the board revision that last wrote it
 *   (a replayed or older write is a version conflict, ignored);
 * - access: one document per user, the boards they may see; every search reads it inside the
 *   query itself (a terms lookup), so membership is never checked on results afterwards;
 * - boards: per board, the last applied revision (the guard) and its members.
 */
export interface OpenSearchIndex extends SearchIndex {
  /** The three index names (aliases for the live index, concrete names for a generation being built). */
  readonly names: IndexNames;
  /** Creates generation 1 behind the aliases unless the aliases exist. */
  ensureCreated(): Promise<void>;
  /** Creates the next generation's (empty) indexes and returns an index writing to them, for a rebuild. */
  createGeneration(): Promise<OpenSearchIndex & { readonly generation: number }>;
  /** Points the three aliases at `generation` at once; returns the concrete indexes they left (to delete). */
  promote(generation: number): Promise<string[]>;
  /** Deletes these indexes (the generation a `promote` left); missing ones are fine. */
  deleteIndexes(names: readonly string[]): Promise<void>;
  /** Deletes every index of this prefix (tests). */
  dropAll(): Promise<void>;
}

export interface OpenSearchIndexOptions {
  /** e.g. http://127.0.0.1:9200 */
  readonly url: string;
  /** Lower-case name prefix of the indexes and aliases. Default `primetrade`. */
  readonly prefix?: string;
  /** Make writes searchable before `apply` returns (tests, read-your-writes); default false (≤ 1 s refresh). */
  readonly refresh?: boolean;
  readonly requestTimeoutMs?: number;
}

export interface IndexNames {
  readonly tasks: string;
  readonly access: string;
  readonly boards: string;
}

interface Transport {
  request(
    params: {
      method: string;
      path: string;
      body?: unknown;
      bulkBody?: unknown[];
      querystring?: Record<string, unknown>;
    },
    options?: { ignore?: number[] },
  ): Promise<{ body: unknown; statusCode: number | null }>;
}

const kinds = ['tasks', 'access', 'boards'] as const;

export function createOpenSearchIndex(options: OpenSearchIndexOptions): OpenSearchIndex {
  const client = new Client({ node: options.url, requestTimeout: options.requestTimeoutMs ?? 10_000 });
  const transport = client.transport as unknown as Transport;
  const prefix = options.prefix ?? 'primetrade';
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(prefix)) throw new RangeError(`not an index prefix: "${prefix}"`);
  const aliases: IndexNames = { tasks: `${prefix}-tasks`, access: `${prefix}-access`, boards: `${prefix}-boards` };
  const concrete = (generation: number): IndexNames => ({
    tasks: `${prefix}-tasks-g${generation}`,
    access: `${prefix}-access-g${generation}`,
    boards: `${prefix}-boards-g${generation}`,
  });
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    querystring?: Record<string, unknown>,
    ignore?: number[],
  ): Promise<{ body: T; status: number }> => {
    const response = await transport
      .request(
        { method, path, ...(body === undefined ? {} : { body }), ...(querystring ? { querystring } : {}) },
        ignore ? { ignore } : {},
      )
      .catch(unavailable);
    return { body: response.body as T, status: response.statusCode ?? 0 };
  };

  const createIndexes = async (names: IndexNames) => {
    await call('PUT', `/${names.tasks}`, taskIndexBody);
    await call('PUT', `/${names.access}`, accessIndexBody);
    await call('PUT', `/${names.boards}`, boardIndexBody);
  };

  /** Generations the aliases point at now (none before `ensureCreated`). */
  const liveGeneration = async (): Promise<number | null> => {
    const { body, status } = await call<Record<string, unknown>>(
      'GET',
      `/_alias/${aliases.tasks}`,
      undefined,
      {},
      [404],
    );
    if (status === 404) return null;
    const [name] = Object.keys(body);
    const match = /-g(\d+)$/.exec(name ?? '');
    return match ? Number(match[1]) : null;
  };

  const at = (names: IndexNames): OpenSearchIndex => {
    const index: OpenSearchIndex = {
      kind: 'opensearch',
      names,
      async ensureCreated() {
        if ((await liveGeneration()) !== null) return;
        const first = concrete(1);
        await createIndexes(first);
        await call('POST', '/_aliases', {
          actions: kinds.map((kind) => ({ add: { index: first[kind], alias: aliases[kind] } })),
        });
      },
      async createGeneration() {
        const next = ((await liveGeneration()) ?? 0) + 1;
        const names = concrete(next);
        await createIndexes(names);
        return Object.assign(at(names), { generation: next });
      },
      async promote(generation) {
        const current = await liveGeneration();
        const target = concrete(generation);
        const actions = kinds.flatMap((kind) => [
          ...(current === null ? [] : [{ remove: { index: concrete(current)[kind], alias: aliases[kind] } }]),
          { add: { index: target[kind], alias: aliases[kind] } },
        ]);
        await call('POST', '/_aliases', { actions });
        return current === null || current === generation ? [] : kinds.map((kind) => concrete(current)[kind]);
      },
      async deleteIndexes(doomed) {
        const ours = doomed.filter((name) => name.startsWith(`${prefix}-`) && !name.includes('*'));
        if (ours.length > 0) await call('DELETE', `/${ours.join(',')}`, undefined, {}, [404]);
      },
      async dropAll() {
        await call('DELETE', `/${prefix}-*`, undefined, { expand_wildcards: 'all' }, [404]);
      },
      async apply(changes) {
        // Through the aliases: one concrete generation for the whole call, so a rebuild's switch
        // (`promote`) never splits a change between two generations (docs/adr/0026-search-projection.md).
        const generation = names === aliases && changes.length > 0 ? await liveGeneration() : null;
        if (generation !== null) return at(concrete(generation)).apply(changes);
        // The gaps are checked in the generation written to: never one generation checked, another written.
        await assertNoGaps(changes, async (boardId) => (await boardDoc(boardId))?.revision ?? null);
        for (const change of changes) await applyChange(change);
        if (options.refresh && changes.length > 0)
          await call('POST', `/${names.tasks},${names.access},${names.boards}/_refresh`);
      },
      async boardRevision(boardId) {
        return (await boardDoc(boardId))?.revision ?? null;
      },
      async search(query): Promise<SearchResult> {
        const built = openSearchQuery(query, names.access);
        if (!built) return { items: [], total: 0, facets: emptyFacets, nextCursor: null };
        const { body } = await call<OpenSearchHits>('POST', `/${names.tasks}/_search`, built.body);
        return built.read(body);
      },
    };

    const boardDoc = async (boardId: string): Promise<{ revision: number; memberIds: string[] } | null> => {
      if (!isUuid(boardId)) return null;
      const { body, status } = await call<{ _source?: { revision: number; memberIds: string[] } }>(
        'GET',
        `/${names.boards}/_doc/${boardId}`,
        undefined,
        {},
        [404],
      );
      return status === 404 ? null : (body._source ?? null);
    };

    /** Adds or removes one board in a user's access document, with optimistic concurrency (retried). */
    const editAccess = async (userId: string, boardId: string, add: boolean) => {
      for (let attempt = 0; ; attempt += 1) {
        const { body, status } = await call<{
          _source?: { boardIds: string[] };
          _seq_no?: number;
          _primary_term?: number;
        }>('GET', `/${names.access}/_doc/${userId}`, undefined, {}, [404]);
        const boards = new Set(status === 404 ? [] : (body._source?.boardIds ?? []));
        if (add === boards.has(boardId)) return;
        if (add) boards.add(boardId);
        else boards.delete(boardId);
        const guard =
          status === 404 ? { op_type: 'create' } : { if_seq_no: body._seq_no, if_primary_term: body._primary_term };
        const { status: written } = await call(
          'PUT',
          `/${names.access}/_doc/${userId}`,
          { boardIds: [...boards].sort() },
          guard,
          [409],
        );
        if (written !== 409) return;
        if (attempt >= 20) throw new Error(`access document of ${userId} kept changing under this write`);
      }
    };

    const applyChange = async (change: SearchBoardChange) => {
      const board = await boardDoc(change.boardId);
      if (board && board.revision >= change.revision) return;
      const operations: unknown[] = [];
      const version = { version: change.revision, version_type: 'external' };
      for (const id of change.deletes ?? []) operations.push({ delete: { _index: names.tasks, _id: id, ...version } });
      for (const task of change.upserts ?? []) {
        operations.push({ index: { _index: names.tasks, _id: task.id, ...version } });
        operations.push({
          ...task,
          boardId: change.boardId,
          priorityRank: priorities.indexOf(task.priority),
          revision: change.revision,
        });
      }
      if (operations.length > 0) {
        const response = await transport
          .request({ method: 'POST', path: '/_bulk', bulkBody: operations })
          .catch(unavailable);
        const result = response.body as {
          errors: boolean;
          items: Record<string, { status: number; error?: unknown }>[];
        };
        // 409: the index already holds this revision or a newer one (a replay); 404: deleting what is gone.
        const failed = result.items
          .map((item) => Object.values(item)[0])
          .filter((item) => item && item.status >= 300 && item.status !== 409 && item.status !== 404);
        if (failed.length > 0) throw new Error(`OpenSearch bulk write failed: ${JSON.stringify(failed[0])}`);
      }
      const memberIds = change.memberIds ? [...new Set(change.memberIds)].sort() : (board?.memberIds ?? []);
      if (change.memberIds) {
        const before = new Set(board?.memberIds ?? []);
        const after = new Set(memberIds);
        for (const user of after) if (!before.has(user)) await editAccess(user, change.boardId, true);
        for (const user of before) if (!after.has(user)) await editAccess(user, change.boardId, false);
      }
      // Last: a crash before it leaves the old revision, so a replay redoes this change (every step above is idempotent).
      await call(
        'PUT',
        `/${names.boards}/_doc/${change.boardId}`,
        { revision: change.revision, memberIds },
        { version: change.revision, version_type: 'external' },
        [409],
      );
    };
    return index;
  };
  return at(aliases);
}

const emptyFacets = { board: [], assignee: [], label: [], priority: [], status: [] };

/**
 * No answer, a timeout, or a 5xx (a node starting, a red cluster): the search engine is unavailable
 * (503 to API clients; the projection retries). A 4xx is a defect of this adapter and stays as it is.
 */
function unavailable(error: unknown): never {
  const status = (error as { meta?: { statusCode?: number | null } }).meta?.statusCode;
  const name = (error as { name?: string }).name;
  if (
    name === 'ConnectionError' ||
    name === 'TimeoutError' ||
    name === 'NoLivingConnectionsError' ||
    (status ?? 0) >= 500
  )
    throw new DomainError('SERVICE.UNAVAILABLE', 'The search engine is unavailable right now; try again shortly');
  throw error;
}
