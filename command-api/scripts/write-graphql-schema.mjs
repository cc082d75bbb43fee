// Writes docs/schema.graphql from the schema in code (npm run docs:graphql); graphql.schema.unit.spec.ts compares.
import { writeFileSync } from 'node:fs';
import { printedSchema } from '../dist/graphql/graphql.schema.js';

const target = new URL('../../docs/schema.graphql', import.meta.url);
writeFileSync(target, printedSchema());
console.log(`wrote ${target.pathname}`);
