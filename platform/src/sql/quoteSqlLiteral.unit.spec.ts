import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { quoteSqlLiteral } from './postgresSql.js';

describe('quoteSqlLiteral', () => {
  it("gives node-postgres' escapeLiteral text for quotes, backslashes, both, neither and non-ASCII", () => {
    const values = [
      '',
      'plain',
      "it's",
      "''",
      'C:\\path\\to',
      "O'Brien \\ says \\'hi\\'",
      '\\',
      "'",
      'Überprüfung — 漢字 🚀',
      '{"json": [1, "a\\"b"], "q": "it\'s"}',
      'line one\nline two\ttab',
      '$1 costs $$2',
    ];
    for (const value of values) expect(quoteSqlLiteral(value)).toBe(pg.escapeLiteral(value).trim());
  });
});
