import { randomUUID } from 'node:crypto';
import type { SearchIndex, SearchTaskDocument } from './searchIndex.port.js';

// The data of the search port's contract (searchIndex.contractSuite.ts).
export const ids = () => ({
  alice: randomUUID(),
  bob: randomUUID(),
  carol: randomUUID(),
  nobody: randomUUID(),
  boardA: randomUUID(),
  boardB: randomUUID(),
  boardC: randomUUID(),
  todoA: randomUUID(),
  doneA: randomUUID(),
  todoB: randomUUID(),
  a1: randomUUID(),
  a2: randomUUID(),
  a3: randomUUID(),
  b1: randomUUID(),
  b2: randomUUID(),
  b3: randomUUID(),
  c1: randomUUID(),
});

export type Ids = ReturnType<typeof ids>;

export const at = (day: string) => `${day}T09:00:00.000Z`;

export function task(
  id: string,
  boardId: string,
  columnId: string,
  fields: Partial<SearchTaskDocument> & Pick<SearchTaskDocument, 'title'>,
): SearchTaskDocument {
  return {
    id,
    boardId,
    columnId,
    description: '',
    labels: [],
    comments: [],
    assigneeIds: [],
    priority: 'medium',
    dueDate: null,
    status: 'open',
    archived: false,
    createdAt: at('2026-10-01'),
    updatedAt: at('2026-10-01'),
    ...fields,
  };
}

/** Board A (alice, bob; carol until revision 5), board B (alice, bob), board C (carol only). */
export async function seed(index: SearchIndex, x: Ids): Promise<void> {
  await index.apply([
    { boardId: x.boardA, revision: 1, memberIds: [x.alice, x.bob, x.carol] },
    {
      boardId: x.boardA,
      revision: 2,
      upserts: [
        task(x.a1, x.boardA, x.todoA, {
          title: 'Urgent: fix login bug',
          description: 'Users cannot sign in since the release',
          labels: ['bug'],
          assigneeIds: [x.alice],
          priority: 'urgent',
          dueDate: at('2026-12-10'),
          updatedAt: at('2026-10-05'),
        }),
        task(x.a2, x.boardA, x.doneA, {
          title: 'Write release notes',
          description: 'Summarize the urgent fixes for customers',
          labels: ['docs'],
          assigneeIds: [x.bob],
          dueDate: at('2026-11-01'),
          status: 'completed',
          updatedAt: at('2026-10-02'),
        }),
      ],
    },
    {
      boardId: x.boardA,
      revision: 3,
      upserts: [
        task(x.a3, x.boardA, x.todoA, {
          title: 'Deploy urgent hotfix',
          labels: ['ops', 'bug'],
          assigneeIds: [x.alice, x.bob],
          priority: 'high',
          updatedAt: at('2026-10-04'),
        }),
      ],
    },
    { boardId: x.boardA, revision: 5, memberIds: [x.alice, x.bob] },
    { boardId: x.boardB, revision: 1, memberIds: [x.alice, x.bob] },
    {
      boardId: x.boardB,
      revision: 2,
      upserts: [
        task(x.b1, x.boardB, x.todoB, {
          title: 'Plan the sprint',
          comments: ['we need the deployment checklist first'],
          priority: 'low',
          dueDate: at('2026-12-20'),
          updatedAt: at('2026-10-03'),
        }),
        task(x.b2, x.boardB, x.todoB, {
          title: 'Urgent customer escalation',
          priority: 'urgent',
          dueDate: '2026-12-06T00:00:00.000Z',
          updatedAt: at('2026-10-06'),
        }),
        task(x.b3, x.boardB, x.todoB, { title: 'Urgent but archived', archived: true, updatedAt: at('2026-10-07') }),
      ],
    },
    { boardId: x.boardC, revision: 1, memberIds: [x.carol] },
    {
      boardId: x.boardC,
      revision: 2,
      upserts: [task(x.c1, x.boardC, randomUUID(), { title: 'Urgent secret plan', priority: 'urgent' })],
    },
  ]);
}
