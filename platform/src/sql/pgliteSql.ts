import { PGlite, types } from '@electric-sql/pglite';
import type { Sql, SqlQueryable } from './sql.port.js';

export interface PgliteSqlOptions {
  /** Directory for the data files; omitted = in memory. */
  readonly dataDir?: string;
  /** A tarball from `dumpDataDir()` to start from (fast test databases). */
  readonly loadDataDir?: Blob | File;
}

/** int8 as string, like `pg` (so positions and revisions keep every digit). */
const parsers = { [types.INT8]: (value: string) => value };

interface PgliteLike {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
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

export async function createPgliteSql(options: PgliteSqlOptions = {}): Promise<Sql & { readonly db: PGlite }> {
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers,
  });
  return Object.assign(wrapPglite(db), { db });
}
