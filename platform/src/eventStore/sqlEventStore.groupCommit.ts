import type { AppendResult, EventToAppend, ExpectedRevision } from './eventStore.port.js';
import type { SqlAppend, SqlAppendTarget, SqlAppends, InsertedRow } from './sqlEventStore.append.js';
import { isUniqueViolation, toPayload, toResult } from './sqlEventStore.append.js';

export interface GroupCommitOptions {
  /** Append statements on the way at once; appends arriving meanwhile wait and go together. Default 1. */
  readonly maxInFlight?: number;
  /** Appends in one statement at most. Default 64. */
  readonly maxBatch?: number;
}

interface Waiting {
  readonly streamId: string;
  readonly events: readonly EventToAppend[];
  readonly expected: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type ItemRow = { readonly item: number; readonly status: string } & InsertedRow;

/**
 * Group commit (docs/adr/0021-group-commit-of-appends.md): while `maxInFlight` append statements are
 * on the way, further appends wait and then go together as one statement and one transaction
 * (`append_events_many`). An append that finds nothing on the way goes at once, alone, so a quiet
 * store adds no wait. Each append keeps its own answer: an item the batch could not decide (a
 * revision conflict, a retried batch) is decided alone by the full transaction, exactly as a single
 * append's would be; a stored id anywhere in the batch sends every item down the single path.
 */
export function createGroupCommit(
  target: SqlAppendTarget,
  appends: SqlAppends,
  options: GroupCommitOptions = {},
): SqlAppend {
  const { sql, schema, s, channel } = target;
  const maxInFlight = options.maxInFlight ?? 1;
  const maxBatch = options.maxBatch ?? 64;
  const statement = `SELECT item, status, transaction_id, global_position, revision FROM ${s}.append_events_many($1::jsonb, $2)`;
  const waiting: Waiting[] = [];
  let inFlight = 0;

  const toItem = (item: Waiting) => ({
    stream: item.streamId,
    lockKey: `${schema}:${item.streamId}`,
    expected: typeof item.expected === 'bigint' ? item.expected.toString() : item.expected,
    events: toPayload(item.events),
  });
  const settle = (item: Waiting, outcome: Promise<AppendResult>) => outcome.then(item.resolve, item.reject);
  const alone = (item: Waiting) => settle(item, appends.append(item.streamId, item.events, item.expected));

  /** The batch's statement; what it could not decide is decided afterwards, outside the statement's slot. */
  async function together(batch: readonly Waiting[]): Promise<void> {
    let rows: ItemRow[];
    try {
      rows = await sql.query<ItemRow>(statement, [JSON.stringify(batch.map(toItem)), channel]);
    } catch (error) {
      // Nothing was written: an id of some item is stored already; each item finds out alone.
      if (isUniqueViolation(error, 'events_event_id_key')) for (const item of batch) void alone(item);
      else for (const item of batch) item.reject(error);
      return;
    }
    const written = new Map(rows.filter((row) => row.status === 'ok').map((row) => [row.item, row]));
    batch.forEach((item, index) => {
      const row = written.get(index);
      if (row) item.resolve(toResult(row));
      else void settle(item, appends.appendInTransaction(item.streamId, item.events, item.expected));
    });
  }

  function pump(): void {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const batch = waiting.splice(0, maxBatch);
      inFlight += 1;
      const sent = batch.length === 1 ? alone(batch[0]!) : together(batch);
      void sent.finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }

  return (streamId, events, expected) =>
    new Promise<AppendResult>((resolve, reject) => {
      waiting.push({ streamId, events, expected, resolve, reject });
      pump();
    });
}
