import type { Envelope } from '@primetrade/domain';
import {
  GraphQLID,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLNullableType,
} from 'graphql';
import { jsonScalar } from './graphql.types.js';

/**
 * What the realtime node puts in a subscription's context (realtime/src/graphqlWs.ts): the `board:join`
 * decision, the catch-up from the store and the live events. The API nodes do not serve subscriptions.
 */
export interface BoardEventsContext {
  followBoard(payload: { boardId: unknown; afterRevision: unknown }): Promise<AsyncIterableIterator<Envelope>>;
}

const nonNull = <T extends GraphQLNullableType>(type: T) => new GraphQLNonNull(type);

export const boardEventType = new GraphQLObjectType<Envelope>({
  name: 'BoardEvent',
  description: 'One event of a board\'s stream, as `GET /boards/{id}/events` lists it (docs/api.md "Events").',
  fields: {
    id: { type: nonNull(GraphQLID) },
    boardId: { type: nonNull(GraphQLID) },
    revision: { type: nonNull(GraphQLInt), description: "The board stream's revision, 0-based, gap-free." },
    type: { type: nonNull(GraphQLString), description: 'The event type, e.g. `TaskMoved`.' },
    occurredAt: { type: nonNull(GraphQLString) },
    actorId: { type: nonNull(GraphQLID) },
    data: { type: nonNull(jsonScalar), description: "The event's payload, as the REST events list shows it." },
  },
});

export const subscriptionType = new GraphQLObjectType<unknown, BoardEventsContext>({
  name: 'Subscription',
  description: 'Served over graphql-ws on `/graphql-ws` by the realtime nodes (docs/api.md "GraphQL").',
  fields: {
    boardEvents: {
      type: new GraphQLNonNull(boardEventType),
      description:
        "A board's events after `afterRevision` (from now when omitted), then live, in revision order, each once. " +
        'Members only (BOARD.NOT_FOUND otherwise); a removal of the subscriber is delivered, then the subscription completes.',
      args: {
        boardId: { type: new GraphQLNonNull(GraphQLID) },
        afterRevision: { type: GraphQLInt },
      },
      subscribe: (_source, args: { boardId: string; afterRevision?: number | null }, context) =>
        context.followBoard({ boardId: args.boardId, afterRevision: args.afterRevision ?? undefined }),
      resolve: (event) => event,
    },
  },
});
