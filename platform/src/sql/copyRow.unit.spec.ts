import { describe, expect, it } from 'vitest';
import { copyRow, copyStatement } from './sql.port.js';

describe("copyRow (COPY's text format)", () => {
  it('separates fields by tabs, ends the row with a newline and writes NULL as \\N', () => {
    expect(copyRow(['a', 1, null, 2.5, ''])).toBe('a\t1\t\\N\t2.5\t\n');
  });

  it('escapes backslashes, newlines, carriage returns and tabs, and nothing else', () => {
    expect(copyRow(['back\\slash', 'two\nlines', 'cr\rhere', 'tab\there'])).toBe(
      'back\\\\slash\ttwo\\nlines\tcr\\rhere\ttab\\there\n',
    );
    expect(copyRow(['\\N', `it's "quoted" ✓`, '{"a":"x\\"y"}'])).toBe(`\\\\N\tit's "quoted" ✓\t{"a":"x\\\\"y"}\n`);
  });

  it('names the table and columns as quoted identifiers', () => {
    expect(copyStatement('board_history', ['board_id', 'odd"name'], 'STDIN')).toBe(
      'COPY "board_history" ("board_id", "odd""name") FROM STDIN',
    );
  });
});
