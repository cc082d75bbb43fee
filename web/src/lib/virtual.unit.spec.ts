import { describe, expect, it } from 'vitest';
import { dropIndex, visibleRange } from './virtual.js';

describe('visibleRange', () => {
  describe('when the list is scrolled to the top', () => {
    it('renders the rows in view plus the overscan below', () => {
      expect(visibleRange(0, 400, 100, 5000, 2)).toEqual({ start: 0, end: 7 });
    });
  });

  describe('when the list is scrolled into the middle', () => {
    it('renders a window around the viewport only', () => {
      expect(visibleRange(250_000, 400, 100, 5000, 2)).toEqual({ start: 2498, end: 2507 });
    });
  });

  describe('when the list is shorter than the viewport', () => {
    it('renders every row', () => {
      expect(visibleRange(0, 800, 100, 3, 2)).toEqual({ start: 0, end: 3 });
    });
  });
});

describe('dropIndex', () => {
  it('rounds to the nearest gap between rows and stays within the list', () => {
    expect(dropIndex(140, 100, 10)).toBe(1);
    expect(dropIndex(160, 100, 10)).toBe(2);
    expect(dropIndex(-30, 100, 10)).toBe(0);
    expect(dropIndex(5000, 100, 10)).toBe(10);
  });
});
