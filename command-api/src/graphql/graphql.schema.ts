import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { mutationType } from './graphql.mutations.js';
import { queryType } from './graphql.query.js';
import { subscriptionType } from './graphql.subscription.js';

/**
 * The GraphQL schema, in code (docs/adr/0028-graphql-endpoint.md); printed to docs/schema.graphql. The API
 * nodes answer its queries and mutations; the realtime nodes its subscriptions (realtime/src/graphqlWs.ts).
 */
export const graphqlSchema = new GraphQLSchema({
  query: queryType,
  mutation: mutationType,
  subscription: subscriptionType,
});

/** The SDL checked into docs/schema.graphql (`npm run docs:graphql` writes it; a unit spec compares). */
export const printedSchema = (): string => `${printSchema(lexicographicSortSchema(graphqlSchema))}\n`;
