import { describe, expect, it } from 'vitest';
import { inlineParameters, literal } from './sqlScript.js';

describe('inlineParameters', () => {
  it('turns each value into a string constant, quotes doubled, and an escape-string constant when it holds a backslash', () => {
    expect(inlineParameters('UPDATE t SET a = $1 WHERE id = $2', ["it's \\ done", 'x'])).toBe(
      "UPDATE t SET a = E'it''s \\\\ done' WHERE id = 'x'",
    );
  });

  it('never rescans an inlined value, so a "$2" typed by a user stays text', () => {
    expect(inlineParameters('SELECT $1, $2', ['$2', 'b'])).toBe("SELECT '$2', 'b'");
  });

  it('tells $1 from $10', () => {
    const params = Array.from({ length: 10 }, (_, index) => `v${index + 1}`);
    expect(inlineParameters('SELECT $10, $1', params)).toBe("SELECT 'v10', 'v1'");
  });

  it('writes NULL, numbers, booleans, instants, arrays and objects as pg would send them', () => {
    expect([null, undefined, 42, true, new Date('2026-01-02T03:04:05.678Z')].map(literal)).toEqual([
      'NULL',
      'NULL',
      "'42'",
      "'true'",
      "'2026-01-02T03:04:05.678Z'",
    ]);
    expect(literal(['a"b', 'c\\d', null, "e'f"])).toBe(`E'{"a\\\\"b","c\\\\\\\\d",NULL,"e''f"}'`);
    expect(literal({ title: "it's" })).toBe(`'{"title":"it''s"}'`);
  });

  it('dollar-quotes a long value unless its text could end the constant early', () => {
    const long = `it's \\ "q" $1 E'\\x41' ${'x'.repeat(1100)}`;
    expect(literal(long)).toBe(`$pt$${long}$pt$`);
    for (const ambiguous of [`${long}$pt$ more`, `${long}$pt`]) expect(literal(ambiguous)).toMatch(/^E?'/);
    // A trailing `$` or `$p` cannot join the closing tag into an earlier one.
    for (const clear of [`${long}$`, `${long}$p`]) expect(literal(clear)).toBe(`$pt$${clear}$pt$`);
    expect(literal('short')).toBe("'short'");
  });

  it('refuses a placeholder without a parameter, and a value it cannot write', () => {
    expect(() => inlineParameters('SELECT $2', ['one'])).toThrow(RangeError);
    expect(() => literal(Symbol('x'))).toThrow(TypeError);
  });
});
