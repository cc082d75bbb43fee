import type { BoardFlowDto, BoardStatsDto } from '@primetrade/domain';

export interface StatsSource {
  stats(): Promise<BoardStatsDto>;
  flow(): Promise<BoardFlowDto>;
}

/**
 * The Stats view's model: a board's statistics and its cumulative flow, loaded together. A reload
 * keeps the figures on screen until the new ones arrive; a failed one says so and keeps them too.
 */
export class BoardStats {
  stats = $state.raw<BoardStatsDto | null>(null);
  flow = $state.raw<BoardFlowDto | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  #generation = 0;

  /** True once loaded with a board that has never had a task. */
  readonly empty = $derived(
    this.stats !== null &&
      this.stats.tasks.live + this.stats.tasks.archived === 0 &&
      this.stats.completions.length === 0,
  );

  async load(source: StatsSource): Promise<void> {
    const generation = ++this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const [stats, flow] = await Promise.all([source.stats(), source.flow()]);
      // An older load that finishes late must not overwrite a newer one.
      if (generation !== this.#generation) return;
      this.stats = stats;
      this.flow = flow;
    } catch (error) {
      if (generation === this.#generation) this.error = error instanceof Error ? error.message : String(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }
}
