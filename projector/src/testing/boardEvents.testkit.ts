import { randomUUID } from 'node:crypto';
import type { BoardEvent, Envelope, Role, TaskCreated } from '@primetrade/domain';

/** Positions grow across every stream built in a test process, like a store's global feed. */
let globalSequence = 0;

export interface StreamOptions {
  readonly boardId?: string;
  readonly ownerId?: string;
  /** Instant of the first event; each event is one second after the previous one. */
  readonly start?: string;
}

export interface EventOptions {
  readonly actorId?: string;
  readonly at?: string;
}

/**
 * Builds realistic envelopes of one board stream without the domain's decide: contiguous
 * revisions from 0, increasing positions and instants. Shortcuts cover the common events.
 */
export class BoardStream {
  readonly boardId: string;
  readonly ownerId: string;
  #revision = -1;
  #clock: number;

  constructor(options: StreamOptions = {}) {
    this.boardId = options.boardId ?? randomUUID();
    this.ownerId = options.ownerId ?? randomUUID();
    this.#clock = Date.parse(options.start ?? '2026-01-01T09:00:00.000Z') - 1000;
  }

  get revision(): number {
    return this.#revision;
  }

  emit<E extends BoardEvent>(event: E, options: EventOptions = {}): Envelope<E> {
    this.#revision += 1;
    this.#clock = options.at ? Date.parse(options.at) : this.#clock + 1000;
    globalSequence += 1;
    return {
      ...event,
      id: randomUUID(),
      boardId: this.boardId,
      revision: this.#revision,
      position: String(globalSequence).padStart(16, '0'),
      occurredAt: new Date(this.#clock).toISOString(),
      actorId: options.actorId ?? this.ownerId,
      correlationId: randomUUID(),
      causationId: null,
      schemaVersion: 1,
    };
  }

  /** BoardCreated plus the owner's MemberAdded, as the domain's CreateBoard emits them. */
  create(name = 'Roadmap', description = ''): Envelope[] {
    return [
      this.emit({ type: 'BoardCreated', data: { boardId: this.boardId, name, description } }),
      this.emit({ type: 'MemberAdded', data: { userId: this.ownerId, role: 'owner' } }),
    ];
  }

  addMember(userId: string, role: Role = 'editor'): Envelope {
    return this.emit({ type: 'MemberAdded', data: { userId, role } });
  }

  addColumn(
    name: string,
    options: { id?: string; position?: string; isDone?: boolean; wipLimit?: number | null } = {},
  ) {
    return this.emit({
      type: 'ColumnAdded',
      data: {
        columnId: options.id ?? randomUUID(),
        name,
        position: options.position ?? `c${this.#revision + 1}`,
        isDone: options.isDone ?? false,
        wipLimit: options.wipLimit ?? null,
      },
    });
  }

  createTask(columnId: string, fields: Partial<TaskCreated['data']> & EventOptions = {}) {
    const { actorId, at, ...data } = fields;
    return this.emit(
      {
        type: 'TaskCreated',
        data: {
          taskId: randomUUID(),
          columnId,
          position: `t${this.#revision + 1}`,
          title: 'A task',
          description: '',
          priority: 'medium',
          dueDate: null,
          assigneeIds: [],
          labels: [],
          ...data,
        },
      },
      { ...(actorId ? { actorId } : {}), ...(at ? { at } : {}) },
    );
  }
}
