import type { Priority } from '@primetrade/domain';
import { seededRandom } from '@primetrade/platform';
import type { SearchBoardChange, SearchQuery, SearchTaskDocument } from '@primetrade/read-model';

/**
 * B16's data (bench/src/b16-search.ts): boards of tasks whose text mixes real words with a large
 * made-up vocabulary of similar-sounding words, so typo tolerance has near neighbours to expand
 * into, as real text has. Seeded: every run builds the same boards, members and queries.
 */
export interface SearchBenchShape {
  readonly boards: number;
  readonly tasks: number;
  readonly users: number;
  /** A user is a member of this many boards, picked at random in the range. */
  readonly membershipsPerUser: readonly [number, number];
}

export interface SearchBenchData {
  readonly memberships: readonly SearchBoardChange[];
  /** Tasks per board, one change each (revision 2). */
  readonly tasks: readonly SearchBoardChange[];
  readonly boardsOf: ReadonlyMap<string, readonly string[]>;
  readonly users: readonly string[];
}

const realWords = (
  'urgent deployment customer escalation login outage release notes checklist invoice payment refund ' +
  'onboarding migration database backup restore latency timeout dashboard report export import review ' +
  'security audit password permission sprint planning roadmap feedback survey bug crash memory upgrade ' +
  'mobile android iphone browser chrome firefox kubernetes cluster monitoring alert incident postmortem'
).split(' ');
const labels = 'bug feature docs ops security ux backend frontend mobile infra data billing support qa design'.split(
  ' ',
);
const priorities: readonly Priority[] = ['low', 'medium', 'medium', 'high', 'urgent'];
const syllables =
  'ba be bi bo ca co da de di do fa fe ga go ka ke la le li lo ma me mi mo na ne no pa pe ra re ri ro sa se si so ta te ti to va ve za'.split(
    ' ',
  );
/** The day the data is about: due dates fall within ±60 days of it. */
export const benchDay = Date.parse('2026-12-01T00:00:00.000Z');

const uuid = (random: () => number) => {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

export function searchBenchData(shape: SearchBenchShape, seed = 16): SearchBenchData {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const made = Array.from({ length: 4_000 }, () =>
    Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(syllables)).join(''),
  );
  const word = () => (random() < 0.3 ? pick(realWords) : pick(made));
  const words = (min: number, max: number) =>
    Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, word).join(' ');

  const boardIds = Array.from({ length: shape.boards }, () => uuid(random));
  const users = Array.from({ length: shape.users }, () => uuid(random));
  const membersOf = new Map<string, string[]>(boardIds.map((boardId) => [boardId, []]));
  const boardsOf = new Map<string, string[]>();
  const [least, most] = shape.membershipsPerUser;
  for (const user of users) {
    const count = Math.min(shape.boards, least + Math.floor(random() * (most - least + 1)));
    const mine = new Set<string>();
    while (mine.size < count) mine.add(pick(boardIds));
    boardsOf.set(user, [...mine]);
    for (const boardId of mine) membersOf.get(boardId)!.push(user);
  }

  const perBoard = Math.ceil(shape.tasks / shape.boards);
  const tasks: SearchBoardChange[] = boardIds.map((boardId, boardIndex) => {
    const members = membersOf.get(boardId)!;
    const columns = [uuid(random), uuid(random), uuid(random)];
    const count = Math.min(perBoard, shape.tasks - boardIndex * perBoard);
    const upserts = Array.from({ length: Math.max(0, count) }, (): SearchTaskDocument => {
      const created = benchDay - Math.floor(random() * 90 * 86_400_000);
      return {
        id: uuid(random),
        boardId,
        columnId: pick(columns),
        title: (random() < 0.05 ? 'Urgent: ' : '') + words(3, 7),
        description: words(8, 25),
        labels: random() < 0.6 ? [...new Set([pick(labels), ...(random() < 0.3 ? [pick(labels)] : [])])] : [],
        comments: random() < 0.3 ? [words(5, 12)] : [],
        assigneeIds: members.length > 0 && random() < 0.7 ? [pick(members)] : [],
        priority: pick(priorities),
        dueDate:
          random() < 0.6 ? new Date(benchDay + Math.floor((random() - 0.5) * 120 * 86_400_000)).toISOString() : null,
        status: random() < 0.2 ? 'completed' : 'open',
        archived: random() < 0.02,
        createdAt: new Date(created).toISOString(),
        updatedAt: new Date(created + Math.floor(random() * 10 * 86_400_000)).toISOString(),
      };
    });
    return { boardId, revision: 2, upserts };
  });
  const memberships = boardIds.map((boardId) => ({ boardId, revision: 1, memberIds: membersOf.get(boardId)! }));
  return { memberships, tasks, boardsOf, users };
}

/**
 * The fixed mix of B16, for one viewer: free text with typos, a prefix, filters, the seed's example
 * (title matches "urgent", due on or after a date), boards narrowed, and facets over all my boards.
 */
export function searchBenchQueries(
  viewerId: string,
  boards: readonly string[],
): { name: string; query: SearchQuery }[] {
  const base = { viewerId, limit: 20 };
  return [
    { name: 'one word, one typo', query: { ...base, text: 'deplyoment' } },
    { name: 'two words, typos', query: { ...base, text: 'custmer escalaton' } },
    { name: 'prefix', query: { ...base, text: 'migra' } },
    { name: 'filters only', query: { ...base, priority: 'urgent', status: 'open', sort: 'dueDate', order: 'asc' } },
    { name: "seed's example", query: { ...base, text: 'urgent', dueFrom: new Date(benchDay).toISOString() } },
    { name: 'label + text', query: { ...base, label: 'bug', text: 'login' } },
    { name: 'three boards', query: { ...base, boardIds: boards.slice(0, 3), sort: 'updatedAt' } },
    { name: 'facets of all my boards', query: { ...base } },
  ];
}
