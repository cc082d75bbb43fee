import { keptPlanName, type SqlQueryable } from '@primetrade/platform';
import { inlineParameters } from '../sqlScript.js';

/**
 * The transaction as batch projections see it (docs/adr/0019-set-based-projector.md): `write`
 * queues a statement whose result nobody reads; the queue goes to the server as ONE script (its
 * parameters inlined as literals, `sqlScript.ts`) before the next read, at `send` (without waiting:
 * ADR 0032) and at the end of the batch. A statement marked by `keepPlan` goes as a prepared
 * statement of its own instead, in its place in the queue's order (ADR 0040). Reads (`query`,
 * `exec`) see every write queued or sent before them, so order is as if each ran at once.
 */
export interface BatchTx extends SqlQueryable {
  write(text: string, params?: readonly unknown[]): void;
  /**
   * Queues a `COPY … FROM STDIN` of `rows` (COPY's text format, `copyRow`) in the writes' order: what
   * was queued before it goes first, as a script, then the COPY; neither is waited for (like `send`).
   */
  copy(table: string, columns: readonly string[], rows: string): void;
  /**
   * A read that does NOT send the queue first: it sees what was sent, not what is queued. Only for
   * tables that no queued write can touch (the history projection reads the history tables, which
   * only it writes, after statistics queued theirs), to spare the batch a round trip.
   */
  readAhead<R extends object>(text: string, params?: readonly unknown[]): Promise<R[]>;
}

export interface BatchWriter extends BatchTx {
  /**
   * Starts sending what is queued, without waiting for it (ADR 0032): the server runs that script
   * while this process prepares the next one. The transaction's statements still run in the order
   * they were issued (one connection); a failure surfaces at the next read, `flush` or `readAhead`.
   */
  send(): void;
  /** Sends what is queued and waits for everything sent; call before handing the transaction back to code that reads it. */
  flush(): Promise<void>;
  /**
   * Waits until everything sent has been answered, whatever the answer, and drops what is queued. A
   * batch that fails calls it before its transaction rolls back: a statement still waiting its turn
   * behind another would otherwise reach the connection after the ROLLBACK, outside any transaction.
   */
  settle(): Promise<void>;
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
    async copyFrom(table, columns, rows) {
      tx.copy(table, columns, rows);
    },
  };
}

export interface BatchWriterOptions {
  /**
   * Statements marked by `keepPlan` go as prepared statements of their own (the live path's small
   * batches, ADR 0040). False inlines them into the scripts like any other: a rebuild's batches are
   * thousands of events, where preparing a statement is a rounding error next to running it, and its
   * scripts keep their one round trip each. Default true.
   */
  readonly preparedWrites?: boolean;
}

/**
 * The writer of `tx`: `tx` itself when it already is one (one queue per batch, shared by the live
 * path's steps: notifications, projections, progress), otherwise a new queue over it.
 */
export function batchWriter(tx: SqlQueryable, options: BatchWriterOptions = {}): BatchWriter {
  if (writers.has(tx)) return tx as BatchWriter;
  const preparedWrites = options.preparedWrites ?? true;
  let queued: string[] = [];
  // Every statement goes through this chain, one at a time on the connection, in the order issued
  // (a client takes one query at a time); `send` does not wait for its script, the others do.
  let chain: Promise<unknown> = Promise.resolve();
  // The first failure of a script nobody waited for: reported by the next read, `flush` or `readAhead`.
  let failure: { error: unknown } | null = null;
  const run = <T>(statement: () => Promise<T>): Promise<T> => {
    const result = chain.then(statement);
    chain = result.catch(() => undefined);
    return result;
  };
  const check = async () => {
    await chain;
    if (failure) throw failure.error;
  };
  const send = () => {
    if (queued.length === 0) return;
    const script = queued.join(';\n');
    queued = [];
    run(() => tx.exec(script)).catch((error: unknown) => {
      failure ??= { error };
    });
  };
  const flush = async () => {
    send();
    await check();
  };
  const write = (text: string, params: readonly unknown[] = []) => {
    if (!preparedWrites || keptPlanName(text) === undefined) {
      queued.push(inlineParameters(text, params));
      return;
    }
    // A statement whose plan the connection keeps (`keepPlan`, ADR 0040) goes as itself, after what
    // was queued before it: a round trip more, but no parsing, analysis or planning on the server.
    send();
    run(() => tx.query(text, params)).catch((error: unknown) => {
      failure ??= { error };
    });
  };
  const copy = (table: string, columns: readonly string[], rows: string) => {
    send();
    run(() => tx.copyFrom(table, columns, rows)).catch((error: unknown) => {
      failure ??= { error };
    });
  };
  const writer: BatchWriter = {
    write,
    copy,
    send,
    flush,
    async readAhead<R extends object>(text: string, params?: readonly unknown[]): Promise<R[]> {
      // Behind what was sent: if a sent script failed, this says why rather than "transaction aborted".
      const rows = run(() => tx.query<R>(text, params));
      await rows.catch(() => undefined);
      if (failure) throw failure.error;
      return rows;
    },
    async query<R extends object>(text: string, params?: readonly unknown[]): Promise<R[]> {
      await flush();
      return run(() => tx.query<R>(text, params));
    },
    async exec(text: string) {
      await flush();
      await run(() => tx.exec(text));
    },
    async copyFrom(table, columns, rows) {
      copy(table, columns, rows);
      await check();
    },
    async settle() {
      queued = [];
      await chain;
    },
  };
  writers.add(writer);
  return writer;
}
