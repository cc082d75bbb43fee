import { describe, expect, it } from 'vitest';
import { isIsoInstant, requireText } from './board.validation.js';

describe('Validation of values the read models must be able to store', () => {
  describe('when an instant is outside what PostgreSQL keeps', () => {
    it.each([
      '0000-01-01T00:00:00Z',
      '10000-01-01T00:00:00Z',
      '2026-01-01T00:00:00+23:59',
      '2026-01-01T00:00:00-14:01',
    ])('refuses %s', (value) => {
      expect(isIsoInstant(value)).toBe(false);
    });

    it.each([
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '2026-06-01T12:00:00+14:00',
      '2026-06-01T12:00:00-12:00',
    ])('accepts %s', (value) => {
      expect(isIsoInstant(value)).toBe(true);
    });
  });

  describe('when a text holds the NUL character', () => {
    it('refuses it, naming the field', () => {
      expect(() => requireText('title', 'a\u0000b', 200)).toThrow(/title: must not contain the NUL character/);
    });
  });
});
