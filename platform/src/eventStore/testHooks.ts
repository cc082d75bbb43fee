/**
 * @internal Test-only hooks for the fault suite (docs/testing.md, faults 1–3). Production code never passes
 * them; they exist so a test can hold an append transaction open (real interleaving on PostgreSQL)
 * and roll some appends back after the stream's compare-and-set.
 */
export interface AppendTestHooks {
  /** Runs inside the append, after every write and before commit; throwing rolls the append back. */
  readonly beforeCommit?: (streamId: string) => Promise<void>;
}
