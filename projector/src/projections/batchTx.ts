import type { SqlQueryable } from '@primetrade/platform';
import { inlineParameters } from '../sqlScript.js';

/**
 * The transaction as batch projections see it (docs/adr/0019-set-based-projector.md): `write`
 * queues a statement whose result nobody reads; the queue goes to the server as ONE script (its
 * parameters inlined as literals, `sqlScript.ts`) before the next read and at the end of the batch.
 * Reads (`query`, `exec`) see every write queued before them, so order is as if each ran at once.
 */
export interface BatchTx extends SqlQueryable {
  write(text: string, params?: readonly unknown[]): void;
  /**
   * A read that does NOT send the queue first: it sees what was sent, not what is queued. Only for
   * tables that no queued write can touch (the history projection reads the history tables, which
   * only it writes, after statistics queued theirs), to spare the batch a round trip.
   */
  readAhead<R extends object>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface BatchWriter extends BatchTx {
  /** Sends what is queued; call before handing the transaction back to code that reads it. */
  flush(): Promise<void>;
}

const writers = new WeakSet<SqlQueryable>();

/** Whether `tx` is a batch's writer (whoever made it flushes it). */
export const isBatchWriter = (tx: SqlQueryable): tx is BatchWriter => writers.has(tx);

/** `tx.write` as a `SqlQueryable`, for per-event handlers (they never read what they write). */
export function writesOf(tx: BatchTx): SqlQueryable {
  return {
    async query<R extends object>(text: string, params?: readonly unknown[]): Promise<R[]> {
      tx.write(text, params);
      return [];
    },
    async exec(text: string) {
      tx.write(text);
    },
  };
}

/**
 * The writer of `tx`: `tx` itself when it already is one (one queue per batch, shared by the live
 * path's steps: notifications, projections, progress), otherwise a new queue over it.
 */
export function batchWriter(tx: SqlQueryable): BatchWriter {
  if (writers.has(tx)) return tx as BatchWriter;
  let queued: string[] = [];
  const flush = async () => {
    if (queued.length === 0) return;
    const script = queued.join(';\n');
    queued = [];
    await tx.exec(script);
  };
  const write = (text: string, params: readonly unknown[] = []) => {
    queued.push(inlineParameters(text, params));
  };
  const writer: BatchWriter = {
    write,
    flush,
    readAhead: <R extends object>(text: string, params?: readonly unknown[]) => tx.query<R>(text, params),
    async query<R extends object>(text: string, params?: readonly unknown[]): Promise<R[]> {
      await flush();
      return tx.query<R>(text, params);
    },
    async exec(text: string) {
      await flush();
      await tx.exec(text);
    },
  };
  writers.add(writer);
  return writer;
}
