import {
  describeEvent,
  foldBoard,
  foldStepwise,
  initialBoardState,
  snapshotOf,
  type BoardState,
  type Column,
  type Envelope,
  type Task,
} from '@primetrade/domain';

/** Reads the board's whole stream, page by page (`GET /boards/:id/events?after=`). */
export type EventPages = (after: number) => Promise<{ events: readonly Envelope[]; revision: number }>;

const snapshotEvery = 250;
const byPosition = (a: { position: string }, b: { position: string }) =>
  a.position < b.position ? -1 : a.position > b.position ? 1 : 0;

/**
 * The history slider's model: the board's events folded with the domain's own `evolve` up to any
 * revision, read-only. Snapshots every 250 events keep a jump anywhere to at most 250 folds.
 */
export class BoardReplay {
  events = $state.raw<readonly Envelope[]>([]);
  revision = $state(-1);
  loading = $state(false);
  error = $state<string | null>(null);
  #snapshots: BoardState[] = [];

  readonly head = $derived(this.events.length - 1);
  readonly state: BoardState = $derived(this.#stateAt(this.revision));
  readonly columns: readonly Column[] = $derived(
    this.state.status === 'initial' ? [] : Object.values(this.state.columns).sort(byPosition),
  );
  readonly tasksByColumn: ReadonlyMap<string, readonly Task[]> = $derived(this.#group());
  /** What the event at the current revision did, in words, against the state just before it. */
  readonly entry = $derived(this.#describe(this.revision));

  async load(pages: EventPages): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      const all: Envelope[] = [];
      for (;;) {
        const page = await pages(all.length - 1);
        // One at a time: each event must be the next revision (a filter would compare every event
        // of the page with the length before the page, keeping one event per request).
        for (const event of page.events) if (event.revision === all.length) all.push(event);
        if (page.events.length === 0 || all.length - 1 >= page.revision) break;
      }
      // One stepwise fold (records copied once, not per event); snapshot k is the board after
      // event (k + 1) × snapshotEvery − 1, i.e. just before event (k + 1) × snapshotEvery.
      const snapshots: BoardState[] = [];
      const last = foldStepwise(all, initialBoardState, (_, before, index) => {
        if (index > 0 && index % snapshotEvery === 0) snapshots.push(snapshotOf(before));
      });
      if (all.length > 0 && all.length % snapshotEvery === 0) snapshots.push(last);
      this.#snapshots = snapshots;
      this.events = all;
      this.revision = all.length - 1;
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.loading = false;
    }
  }

  go(revision: number): void {
    this.revision = Math.max(0, Math.min(this.head, Math.round(revision)));
  }

  #stateAt(revision: number): BoardState {
    if (revision < 0) return initialBoardState;
    const snapshotIndex = Math.floor((revision + 1) / snapshotEvery) - 1;
    const state = snapshotIndex >= 0 ? (this.#snapshots[snapshotIndex] ?? initialBoardState) : initialBoardState;
    const from = snapshotIndex >= 0 && this.#snapshots[snapshotIndex] ? (snapshotIndex + 1) * snapshotEvery : 0;
    // foldBoard copies the snapshot's records before applying: the snapshot stays as it was.
    return foldBoard(this.events.slice(from, revision + 1), state);
  }

  #describe(revision: number): { summary: string; occurredAt: string; actorId: string } | null {
    const event = this.events[revision];
    if (!event) return null;
    return {
      summary: describeEvent(event, this.#stateAt(revision - 1)).summary,
      occurredAt: event.occurredAt,
      actorId: event.actorId,
    };
  }

  #group(): ReadonlyMap<string, readonly Task[]> {
    const groups = new Map<string, Task[]>();
    if (this.state.status === 'initial') return groups;
    for (const task of Object.values(this.state.tasks))
      groups.set(task.columnId, [...(groups.get(task.columnId) ?? []), task]);
    for (const tasks of groups.values()) tasks.sort(byPosition);
    return groups;
  }
}
