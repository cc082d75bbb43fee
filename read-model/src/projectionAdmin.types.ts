/**
 * The port behind `/admin/projections`: what the API needs to show how far the read models are and
 * to start a rebuild. The projector implements it (`createProjectionAdmin`); server/ injects it into
 * the command-api, which does not depend on the projector (docs/adr/0017-read-model-and-server-workspaces.md).
 */

/** How far each feed has come: the relay in the store, the projector in Kafka and in the boards. */
export interface ProjectionStatus {
  readonly checkpoints: readonly {
    name: string;
    position: string;
    updatedAt: string;
    pendingEvents: number;
    pendingCapped: boolean;
  }[];
  readonly kafkaOffsets: readonly {
    group: string;
    topic: string;
    partition: number;
    nextOffset: string;
    updatedAt: string;
  }[];
  readonly boards: { readonly projected: number; readonly lastAppliedAt: string | null };
  readonly rebuild: RebuildJob | null;
}

/** What a finished rebuild reports. */
export interface RebuildSummary {
  readonly events: number;
  readonly boards: number;
  readonly durationMs: number;
  readonly eventsPerSecond: number;
}

export interface RebuildJob {
  readonly state: 'running' | 'succeeded' | 'failed';
  readonly phase: 'starting' | 'replaying' | 'indexing' | 'switching' | 'done';
  readonly events: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly result: RebuildSummary | null;
  readonly error: string | null;
}

export interface ProjectionAdmin {
  status(): Promise<ProjectionStatus>;
  /** Starts a rebuild in the background; null when one is already running. */
  startRebuild(): RebuildJob | null;
  /** The running or last rebuild. */
  rebuild(): RebuildJob | null;
  /** Resolves when a running rebuild has ended (graceful shutdown, tests). */
  settled(): Promise<void>;
}
