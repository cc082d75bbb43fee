import { priorities } from '@primetrade/domain';
import { searchSorts, type SearchHit, type SearchResult } from '@primetrade/read-model';
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLID,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfig,
  type GraphQLOutputType,
} from 'graphql';
import { parseOrThrow } from '../http/route.js';
import { searchQuery } from '../search/search.schemas.js';
import { toSearchQuery, withRetryAfter } from '../search/search.routes.js';
import type { GraphQLContext } from './graphql.context.js';

// `search` (docs/adr/0028-graphql-endpoint.md): `GET /search` as a field, the same port, validation and errors.

const nonNull = <T extends GraphQLOutputType>(type: T) => new GraphQLNonNull(type);
const listOf = <T extends GraphQLOutputType>(type: T) => nonNull(new GraphQLList(nonNull(type)));
const enumOf = (name: string, values: readonly string[]) =>
  new GraphQLEnumType({ name, values: Object.fromEntries(values.map((value) => [value, { value }])) });

const highlightPieceType = new GraphQLObjectType({
  name: 'HighlightPiece',
  description: 'A piece of a field; `match` on the words the query found (render as text, never as HTML).',
  fields: { text: { type: nonNull(GraphQLString) }, match: { type: nonNull(GraphQLBoolean) } },
});

const searchTaskType = new GraphQLObjectType<SearchHit['task']>({
  name: 'SearchTask',
  description: 'A task as the search index holds it (it trails the board by the projection lag).',
  fields: {
    id: { type: nonNull(GraphQLID) },
    boardId: { type: nonNull(GraphQLID) },
    columnId: { type: nonNull(GraphQLID) },
    title: { type: nonNull(GraphQLString) },
    description: { type: nonNull(GraphQLString) },
    labels: { type: listOf(GraphQLString) },
    assigneeIds: { type: listOf(GraphQLID) },
    priority: { type: nonNull(GraphQLString) },
    dueDate: { type: GraphQLString },
    status: { type: nonNull(GraphQLString) },
    archived: { type: nonNull(GraphQLBoolean) },
    createdAt: { type: nonNull(GraphQLString) },
    updatedAt: { type: nonNull(GraphQLString) },
  },
});

const searchHitType = new GraphQLObjectType<SearchHit>({
  name: 'SearchHit',
  fields: {
    task: { type: nonNull(searchTaskType) },
    titleHighlight: { type: new GraphQLList(nonNull(highlightPieceType)), resolve: (hit) => hit.highlights.title },
    descriptionHighlight: {
      type: new GraphQLList(nonNull(highlightPieceType)),
      resolve: (hit) => hit.highlights.description,
    },
  },
});

const facetCountType = new GraphQLObjectType({
  name: 'FacetCount',
  fields: { value: { type: nonNull(GraphQLString) }, count: { type: nonNull(GraphQLInt) } },
});

const facetsType = new GraphQLObjectType({
  name: 'SearchFacets',
  description: 'Counts over everything the query matches, most first, at most 50 each.',
  fields: Object.fromEntries(
    ['board', 'assignee', 'label', 'priority', 'status'].map((facet) => [facet, { type: listOf(facetCountType) }]),
  ),
});

const searchResultType = new GraphQLObjectType<SearchResult>({
  name: 'SearchResult',
  fields: {
    items: { type: listOf(searchHitType) },
    total: { type: nonNull(GraphQLInt) },
    facets: { type: nonNull(facetsType) },
    nextCursor: { type: GraphQLString },
  },
});

interface SearchArgs {
  readonly boardIds?: readonly string[] | null;
  readonly archived?: boolean | null;
  readonly [name: string]: unknown;
}

export const searchField: GraphQLFieldConfig<unknown, GraphQLContext, SearchArgs> = {
  type: nonNull(searchResultType),
  description:
    'Tasks across all my boards (`GET /search`): typo-tolerant text, filters, facets, highlights, keyset pages.',
  args: {
    q: { type: GraphQLString },
    boardIds: { type: new GraphQLList(nonNull(GraphQLID)) },
    columnId: { type: GraphQLID },
    assigneeId: { type: GraphQLID, description: 'A user id, or `me`.' },
    label: { type: GraphQLString },
    priority: { type: enumOf('SearchPriority', priorities) },
    status: { type: enumOf('SearchStatus', ['open', 'completed']) },
    archived: { type: GraphQLBoolean },
    dueFrom: { type: GraphQLString, description: 'ISO 8601: due on or after.' },
    dueBefore: { type: GraphQLString, description: 'ISO 8601: due strictly before.' },
    sort: { type: enumOf('SearchSort', searchSorts) },
    order: { type: enumOf('SearchOrder', ['asc', 'desc']) },
    cursor: { type: GraphQLString },
    limit: { type: GraphQLInt },
  },
  resolve: async (_root, args, context) => {
    await context.gate('boards', {});
    const { boardIds, archived, ...rest } = args;
    // The REST route's schema, fed the query-string forms it parses.
    const given = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== null && value !== undefined));
    const query = parseOrThrow(
      searchQuery,
      {
        ...given,
        ...(boardIds ? { boardId: boardIds } : {}),
        ...(archived === null || archived === undefined ? {} : { archived: String(archived) }),
      },
      'args',
    );
    return context.deps.search.search(toSearchQuery(query, context.user.id)).catch(withRetryAfter);
  },
};
