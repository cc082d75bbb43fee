import { describe, expect, it } from 'vitest';
import {
  allowedEdits,
  decodeSearchCursor,
  effectiveSort,
  encodeSearchCursor,
  highlightPieces,
  queryWords,
  validateSearchQuery,
} from './searchIndex.port.js';

describe('search port helpers', () => {
  it("allows edits by word length like OpenSearch's fuzziness AUTO", () => {
    expect(['a', 'ab', 'abc', 'abcde', 'abcdef', 'abcdefghij'].map(allowedEdits)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(allowedEdits('çaé')).toBe(1);
  });

  it('reads the words of a query: lower case, accents folded, letters and digits, at most 16', () => {
    expect(queryWords('  Urgent: FIX-login  v2! ')).toEqual(['urgent', 'fix', 'login', 'v2']);
    expect(queryWords(undefined)).toEqual([]);
    expect(queryWords('"" ;;')).toEqual([]);
    expect(queryWords('Crème BRÛLÉE, Straße; Ærø Łódź')).toEqual(['creme', 'brulee', 'strasse', 'aero', 'lodz']);
    expect(queryWords(Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '))).toHaveLength(16);
  });

  it('cuts a marked field into pieces', () => {
    expect(highlightPieces('<a> x <a>b</b>', '<a>', '</b>')).toEqual([{ text: ' x <a>b', match: true }]);
    expect(highlightPieces('[Urgent]: fix [login]', '[', ']')).toEqual([
      { text: 'Urgent', match: true },
      { text: ': fix ', match: false },
      { text: 'login', match: true },
    ]);
    expect(highlightPieces('[a][b] c', '[', ']')).toEqual([
      { text: 'ab', match: true },
      { text: ' c', match: false },
    ]);
    expect(highlightPieces('plain', '[', ']')).toEqual([{ text: 'plain', match: false }]);
  });

  it('sorts by relevance only with words to rank by', () => {
    expect(effectiveSort({ viewerId: 'v', limit: 1 })).toEqual({ sort: 'updatedAt', order: 'desc' });
    expect(effectiveSort({ viewerId: 'v', limit: 1, text: 'x' })).toEqual({ sort: 'relevance', order: 'desc' });
    expect(effectiveSort({ viewerId: 'v', limit: 1, sort: 'relevance', text: '!!' })).toEqual({
      sort: 'updatedAt',
      order: 'desc',
    });
    expect(effectiveSort({ viewerId: 'v', limit: 1, sort: 'dueDate', order: 'asc' })).toEqual({
      sort: 'dueDate',
      order: 'asc',
    });
  });

  it('rejects bad limits, dates, sorts and tampered cursors', () => {
    const bad = (query: object) => () => validateSearchQuery({ viewerId: 'v', limit: 10, ...query });
    expect(bad({ limit: 101 })).toThrow(/limit/);
    expect(bad({ limit: 1.5 })).toThrow(/limit/);
    expect(bad({ dueBefore: '2026-13-45T00:00:00Z' })).toThrow(/dueBefore/);
    expect(bad({ sort: 'title' })).toThrow(/sort/);
    expect(bad({ priority: 'critical' })).toThrow(/priority/);
    expect(bad({ dueFrom: '2026-12-06T00:00:00.000Z' })).not.toThrow();
    const cursor = encodeSearchCursor([1.5, 'id']);
    expect(decodeSearchCursor(cursor, () => true)).toEqual([1.5, 'id']);
    expect(() => decodeSearchCursor(cursor, () => false)).toThrow(/cursor/);
    expect(() => decodeSearchCursor('@@', () => true)).toThrow(/cursor/);
  });
});
