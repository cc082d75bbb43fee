import { describeEvent, foldStepwise, type BoardState, type Envelope, type HistoryEntryDto } from '@primetrade/domain';

/** One line of a board's audit history (docs/api.md). */
export type HistoryEntry = HistoryEntryDto;

export interface HistoryFilter {
  readonly taskId?: string | undefined;
  readonly actorId?: string | undefined;
  /** Inclusive bounds on `occurredAt` (ISO instants). */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** Only these revisions (a page). */
  readonly revisions?: ReadonlySet<number> | undefined;
}

const taskOf = (event: Envelope): string | null => {
  const data = event.data as { taskId?: unknown };
  return typeof data.taskId === 'string' ? data.taskId : null;
};

/**
 * Folds the stream once, describing each event against the state just before it, so every entry
 * matches its event one for one. Entries outside `filter` are folded but not returned.
 */
export function historyOf(events: readonly Envelope[], filter: HistoryFilter = {}): HistoryEntry[] {
  const wanted = matcher(filter);
  const entries: HistoryEntry[] = [];
  // One stepwise fold (records copied once, not per event): 50,000 events in well under a second.
  foldStepwise(events, undefined, (event, before) => {
    if (!wanted(event)) return;
    const { summary, changes } = describeEvent(event, before);
    entries.push({
      revision: event.revision,
      occurredAt: event.occurredAt,
      actorId: event.actorId,
      type: event.type,
      taskId: taskOf(event),
      summary,
      changes,
    });
  });
  return entries;
}

function matcher(filter: HistoryFilter): (event: Envelope) => boolean {
  const from = filter.from === undefined ? -Infinity : Date.parse(filter.from);
  const to = filter.to === undefined ? Infinity : Date.parse(filter.to);
  return (event) => {
    if (filter.taskId !== undefined && taskOf(event) !== filter.taskId) return false;
    if (filter.actorId !== undefined && event.actorId !== filter.actorId) return false;
    if (filter.revisions !== undefined && !filter.revisions.has(event.revision)) return false;
    const at = Date.parse(event.occurredAt);
    return at >= from && at <= to;
  };
}

/**
 * One page, newest first: the matching entries below `before`, at most `limit`. Only the page's
 * events are described (describing is what costs); the fold still passes every event once.
 */
export function pageOfHistory(
  events: readonly Envelope[],
  query: HistoryFilter & { readonly before?: number | undefined; readonly limit: number },
) {
  const wanted = matcher(query);
  const below = query.before ?? Infinity;
  const picked = new Set<number>();
  let more = false;
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index] as Envelope;
    if (event.revision >= below || !wanted(event)) continue;
    if (picked.size === query.limit) {
      more = true;
      break;
    }
    picked.add(event.revision);
  }
  const entries = historyOf(events.slice(0, Math.max(...picked, -1) + 1), { ...query, revisions: picked }).reverse();
  return {
    entries,
    nextBefore: more ? (entries.at(-1)?.revision ?? null) : null,
    revision: events.at(-1)?.revision ?? -1,
  };
}

/** The board as it was: every event up to `revision` (inclusive), or up to the instant `at`. */
export function stateAt(
  events: readonly Envelope[],
  point: { readonly revision?: number | undefined; readonly at?: string | undefined },
): BoardState {
  const until = point.at === undefined ? Infinity : Date.parse(point.at);
  let end = 0;
  while (end < events.length) {
    const event = events[end] as Envelope;
    if ((point.revision !== undefined && event.revision > point.revision) || Date.parse(event.occurredAt) > until)
      break;
    end++;
  }
  return foldStepwise(events.slice(0, end));
}

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // Quote every cell; a leading = + - @ would be run as a formula by spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replaceAll('"', '""')}"`;
};

/** One row per field change (an event without changes gets one row), RFC 4180 quoting. */
export function historyCsv(entries: readonly HistoryEntry[]): string {
  const rows = [['revision', 'occurredAt', 'actorId', 'type', 'taskId', 'summary', 'field', 'from', 'to'].join(',')];
  for (const entry of entries) {
    const base = [entry.revision, entry.occurredAt, entry.actorId, entry.type, entry.taskId, entry.summary];
    const changes = entry.changes.length > 0 ? entry.changes : [null];
    for (const change of changes) {
      rows.push(
        [...base, change?.field ?? null, change ? change.from : null, change ? change.to : null]
          .map((cell) => (typeof cell === 'number' ? String(cell) : csvCell(cell)))
          .join(','),
      );
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}

/**
 * The change `revision` belongs to: the run of events one request appended (same correlation id,
 * actor and instant, next to each other). Null when the board has no such revision.
 */
export function changeAround(events: readonly Envelope[], revision: number): { first: number; last: number } | null {
  const at = events[revision];
  if (at?.revision !== revision) return null;
  const same = (other: Envelope | undefined) =>
    other !== undefined &&
    other.correlationId === at.correlationId &&
    other.actorId === at.actorId &&
    other.occurredAt === at.occurredAt;
  let first = revision;
  let last = revision;
  while (same(events[first - 1])) first--;
  while (same(events[last + 1])) last++;
  return { first, last };
}
