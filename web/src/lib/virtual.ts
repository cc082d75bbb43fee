export interface VisibleRange {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/**
 * Which rows of a fixed-height list to render: those in the viewport plus `overscan` on each
 * side, so a column of thousands of cards keeps a few dozen in the DOM.
 */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 6,
): VisibleRange {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(viewportHeight, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start: Math.min(start, end), end };
}

/** Where a drop at `offsetY` (from the list's top, scroll included) lands: an index in 0..count. */
export const dropIndex = (offsetY: number, rowHeight: number, count: number): number =>
  Math.min(count, Math.max(0, Math.round(offsetY / rowHeight)));
