import { describe, expect, it } from 'vitest';
import type { SqlQueryable } from '@primetrade/platform';
import { batchWriter, isBatchWriter, writesOf } from './batchTx.js';

/** A transaction that records what reaches the server. */
function recordingTx() {
  const sent: string[] = [];
  const tx: SqlQueryable = {
    async query<R extends object>(text: string, params: readonly unknown[] = []): Promise<R[]> {
      sent.push(`query ${text} ${JSON.stringify(params)}`);
      return [{ answered: text } as unknown as R];
    },
    async exec(text: string) {
      sent.push(`exec ${text}`);
    },
    async copyFrom(table: string, columns: readonly string[], rows: string) {
      sent.push(`copy ${table} (${columns.join(', ')}) ${JSON.stringify(rows)}`);
    },
  };
  return { tx, sent };
}

/** A connection that answers only when told to: shows what is on the wire at each moment. */
function answeringWhenTold() {
  const events: string[] = [];
  const answers: (() => void)[] = [];
  const tx: SqlQueryable = {
    async query<R extends object>(text: string): Promise<R[]> {
      events.push(`start ${text}`);
      await new Promise<void>((resolve) => answers.push(resolve));
      events.push(`end ${text}`);
      return [];
    },
    async exec(text: string) {
      await tx.query(text);
    },
    async copyFrom(table: string) {
      await tx.query(`COPY ${table}`);
    },
  };
  const answerNext = async () => {
    while (answers.length === 0) await new Promise((resolve) => setImmediate(resolve));
    (answers.shift() as () => void)();
  };
  return { tx, events, answerNext };
}

describe('batchWriter', () => {
  it('queues writes, sends them as one script before the next read, and the rest on flush', async () => {
    const { tx, sent } = recordingTx();
    const writer = batchWriter(tx);
    writer.write('DELETE FROM t WHERE id = $1', ["it's"]);
    writer.write('UPDATE t SET a = $1::jsonb', [JSON.stringify({ b: '$1' })]);
    expect(sent).toEqual([]);
    expect(await writer.query('SELECT a FROM t WHERE id = $1', ['x'])).toEqual([
      { answered: 'SELECT a FROM t WHERE id = $1' },
    ]);
    await writesOf(writer).query('INSERT INTO t VALUES ($1)', ['y']);
    await writer.flush();
    await writer.flush();
    expect(sent).toEqual([
      `exec DELETE FROM t WHERE id = 'it''s';\nUPDATE t SET a = '{"b":"$1"}'::jsonb`,
      'query SELECT a FROM t WHERE id = $1 ["x"]',
      "exec INSERT INTO t VALUES ('y')",
    ]);
  });

  it("sends a COPY in the writes' order: the script queued before it, the COPY, then what came after", async () => {
    const { tx, sent } = recordingTx();
    const writer = batchWriter(tx);
    writer.write('UPDATE t SET a = 1');
    writer.copy('h', ['id', 'body'], 'x\ty\n');
    await writesOf(writer).copyFrom('h', ['id'], 'z\n');
    writer.write('UPDATE t SET a = 2');
    await writer.copyFrom('h', ['id'], 'w\n');
    expect(sent).toEqual([
      'exec UPDATE t SET a = 1',
      'copy h (id, body) "x\\ty\\n"',
      'copy h (id) "z\\n"',
      'exec UPDATE t SET a = 2',
      'copy h (id) "w\\n"',
    ]);
    await writer.flush();
    expect(sent).toHaveLength(5);
  });

  it('reads ahead of the queue without sending it, and hands out one writer per batch', async () => {
    const { tx, sent } = recordingTx();
    const writer = batchWriter(tx);
    writer.write('INSERT INTO t VALUES ($1)', ['a']);
    expect(await writer.readAhead('SELECT 1 FROM h WHERE id = $1', ['x'])).toEqual([
      { answered: 'SELECT 1 FROM h WHERE id = $1' },
    ]);
    expect(batchWriter(writer)).toBe(writer);
    expect(isBatchWriter(writer)).toBe(true);
    expect(isBatchWriter(tx)).toBe(false);
    batchWriter(writer).write('INSERT INTO t VALUES ($1)', ['b']);
    await writer.flush();
    expect(sent).toEqual([
      'query SELECT 1 FROM h WHERE id = $1 ["x"]',
      "exec INSERT INTO t VALUES ('a');\nINSERT INTO t VALUES ('b')",
    ]);
  });

  it('refuses a write whose placeholders the parameters do not cover, before anything is sent', async () => {
    const { tx, sent } = recordingTx();
    const writer = batchWriter(tx);
    expect(() => writer.write('UPDATE t SET a = $2', ['one'])).toThrow(RangeError);
    await writer.flush();
    expect(sent).toEqual([]);
  });

  it('sends without waiting, one statement at a time in the order issued', async () => {
    const { tx, events, answerNext } = answeringWhenTold();
    const writer = batchWriter(tx);
    const ahead = writer.readAhead('SELECT 1');
    writer.write('INSERT INTO t VALUES (1)');
    writer.send();
    writer.write('INSERT INTO t VALUES (2)');
    const flushed = writer.flush();
    expect(events).toEqual([]);
    await answerNext();
    await ahead;
    // The sent script follows the read at once; the flushed one only after the sent one's answer.
    await answerNext();
    expect(events.slice(2, 4)).toEqual(['start INSERT INTO t VALUES (1)', 'end INSERT INTO t VALUES (1)']);
    await answerNext();
    await flushed;
    expect(events).toEqual([
      'start SELECT 1',
      'end SELECT 1',
      'start INSERT INTO t VALUES (1)',
      'end INSERT INTO t VALUES (1)',
      'start INSERT INTO t VALUES (2)',
      'end INSERT INTO t VALUES (2)',
    ]);
  });

  it('settles a failed batch: waits for every statement sent, whatever its answer, and drops the queue', async () => {
    const { tx, events, answerNext } = answeringWhenTold();
    const writer = batchWriter(tx);
    writer.write('INSERT INTO t VALUES (1)');
    writer.send();
    writer.copy('h', ['id'], 'x\n');
    writer.write('INSERT INTO t VALUES (2)');
    let settled = false;
    const settling = writer.settle().then(() => (settled = true));
    await answerNext();
    expect(settled).toBe(false);
    // The COPY was waiting behind the script: it still goes out before the batch may roll back.
    await answerNext();
    await settling;
    expect(events).toEqual([
      'start INSERT INTO t VALUES (1)',
      'end INSERT INTO t VALUES (1)',
      'start COPY h',
      'end COPY h',
    ]);
    await writer.flush();
    expect(events).toHaveLength(4);
  });

  it("reports a sent script's failure at the next read, readAhead and flush, not the later statements' errors", async () => {
    const failing = new Error('duplicate key');
    let aborted = false;
    const tx: SqlQueryable = {
      async query<R extends object>(text: string): Promise<R[]> {
        if (aborted) throw new Error('current transaction is aborted');
        if (text.includes('bad')) {
          aborted = true;
          throw failing;
        }
        return [];
      },
      async exec(text: string) {
        await tx.query(text);
      },
      async copyFrom(table: string) {
        await tx.query(`COPY ${table}`);
      },
    };
    const writer = batchWriter(tx);
    writer.write('INSERT bad');
    writer.send();
    await expect(writer.readAhead('SELECT 1')).rejects.toBe(failing);
    await expect(writer.query('SELECT 2')).rejects.toBe(failing);
    writer.write('INSERT INTO t VALUES (3)');
    await expect(writer.flush()).rejects.toBe(failing);
  });
});
