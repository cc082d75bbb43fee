// Starts StrykerJS with stryker.config.json (docs/testing.md, "Mutation testing").
// Its command line refuses Node < 22 before doing anything, yet version 10.1.1 runs this package
// on the Node 20 of our machines; its programmatic entry has no such check, so we start that.
// `--force` tests every mutant again instead of reusing the incremental file's results;
// `--mutate a.ts,b.ts` mutates only those files (globs), e.g. the one you are writing specs for.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const core = dirname(require.resolve('@stryker-mutator/core/package.json'));
const { Stryker } = await import(pathToFileURL(join(core, 'dist', 'src', 'stryker.js')).href);

const args = process.argv.slice(2);
const force = args.includes('--force');
const mutateAt = args.indexOf('--mutate');
const mutate = mutateAt === -1 ? {} : { mutate: (args[mutateAt + 1] ?? '').split(',') };
await new Stryker({ incremental: true, force, ...mutate }).runMutationTest();
