import { setFlagsFromString } from 'node:v8';
import { PGlite, types } from '@electric-sql/pglite';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { initializePgliteDataDir } from './pgliteInitdb.js';
import { copyStatement, type Sql, type SqlQueryable } from './sql.port.js';

export interface PgliteSqlOptions {
  /** Directory for the data files; omitted = in memory. A new directory is initialized in a child process. */
  readonly dataDir?: string;
  /** A tarball from `dumpDataDir()` to start from (fast test databases). */
  readonly loadDataDir?: Blob | File;
  /** PostgreSQL settings for this instance (`-c name=value` at start), on top of PGlite's own start options. */
  readonly settings?: Readonly<Record<string, string>>;
}

/**
 * Contrib extensions the read-model migrations create (`CREATE EXTENSION`): PGlite ships them as
 * bundles it must be handed at start. fuzzystrmatch: the search's typo tolerance; unaccent: its accent
 * folding (docs/adr/0024-search-engine.md).
 */
const extensions = { fuzzystrmatch, unaccent };

/** int8 as string, like `pg` (so positions and revisions keep every digit). */
const parsers = { [types.INT8]: (value: string) => value };

interface PgliteLike {
  query<R>(text: string, params?: unknown[], options?: { blob?: Blob }): Promise<{ rows: R[] }>;
  exec(text: string): Promise<unknown>;
}

const queryable = (db: PgliteLike): SqlQueryable => ({
  async query<R extends object>(text: string, params: readonly unknown[] = []) {
    const result = await db.query<R>(text, params as unknown[]);
    return result.rows;
  },
  async exec(text: string) {
    await db.exec(text);
  },
  // PGlite has no COPY sub-protocol: the server reads the rows from the file '/dev/blob' it is handed.
  async copyFrom(table, columns, rows) {
    await db.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob: new Blob([rows]) });
  },
});

export function wrapPglite(db: PGlite): Sql {
  return {
    kind: 'pglite',
    ...queryable(db),
    tx: (fn) => db.transaction((tx) => fn(queryable(tx))),
    async listen(channel, onNotify) {
      const unlisten = await db.listen(channel, onNotify);
      return async () => {
        await unlisten();
      };
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
}

const settingName = /^[a-z_][a-z0-9_.]*$/;

/** PGlite's default start arguments (fsync, single user, no workers) kept as they are, then one `-c` per setting. */
export function pgliteStartParams(settings: Readonly<Record<string, string>> = {}): string[] {
  const extra = Object.entries(settings).flatMap(([name, value]) => {
    if (!settingName.test(name)) throw new RangeError(`not a PostgreSQL setting name: "${name}"`);
    if (value.length === 0 || /[\0\n]/.test(value)) throw new RangeError(`setting ${name} needs a one-line value`);
    return ['-c', `${name}=${value}`];
  });
  return [...PGlite.defaultStartParams, ...extra];
}

/**
 * From now on this process compiles WebAssembly with V8's baseline compiler (Liftoff) alone. By default V8
 * also compiles PGlite's hot functions with its optimizing compiler and keeps both copies of the code:
 * ~55 MB resident, for no measured gain on the embedded workload (docs/operations.md "Memory"). Call it
 * before the first PGlite starts; modules already compiled keep their code.
 */
export function compileWasmWithBaselineOnly(): void {
  setFlagsFromString('--liftoff-only');
}

export async function createPgliteSql(options: PgliteSqlOptions = {}): Promise<Sql & { readonly db: PGlite }> {
  const startParams = pgliteStartParams(options.settings);
  if (options.dataDir && !options.loadDataDir) await initializePgliteDataDir(options.dataDir);
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers,
    startParams,
    extensions,
  });
  return Object.assign(wrapPglite(db), { db });
}
