import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { mutationType } from './graphql.mutations.js';
import { queryType } from './graphql.query.js';

/** The GraphQL schema, in code (docs/adr/0028-graphql-endpoint.md); printed to docs/schema.graphql. */
export const graphqlSchema = new GraphQLSchema({ query: queryType, mutation: mutationType });

/** The SDL checked into docs/schema.graphql (`npm run docs:graphql` writes it; a unit spec compares). */
export const printedSchema = (): string => `${printSchema(lexicographicSortSchema(graphqlSchema))}\n`;
