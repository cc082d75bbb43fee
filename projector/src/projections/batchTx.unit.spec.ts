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
  };
  return { tx, sent };
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
});
