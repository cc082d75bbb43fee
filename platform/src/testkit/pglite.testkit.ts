import { PGlite, types } from '@electric-sql/pglite';
import { createPgliteSql } from '../sql/pgliteSql.js';
import type { Sql } from '../sql/sql.port.js';

let template: Promise<Blob> | null = null;

/** Creating PGlite costs ~3 s and ~750 MB; loading a dumped data dir is several times faster. */
async function dumpTemplate(): Promise<Blob> {
  const db = await PGlite.create({ parsers: { [types.INT8]: (value: string) => value } });
  try {
    return await db.dumpDataDir('none');
  } finally {
    await db.close();
  }
}

/**
 * A fresh, empty in-memory PGlite behind the `Sql` port. The first call in a test worker creates
 * PGlite once and dumps it; every call starts a new instance from that dump. Close it when done:
 * each instance holds over 100 MB. Its page cache is the embedded server's default size
 * (`PGLITE_SHARED_BUFFERS`), so tests run PGlite as `npm start` does.
 */
export async function createTestPglite(): Promise<Sql> {
  template ??= dumpTemplate().catch((error: unknown) => {
    template = null;
    throw error;
  });
  return createPgliteSql({ loadDataDir: await template, settings: { shared_buffers: '16MB' } });
}
