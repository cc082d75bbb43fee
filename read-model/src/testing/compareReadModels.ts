import type { Sql } from '@primetrade/platform';
import { quoteIdent, readModelDdl } from '../readModelSchema.js';

/** Where one copy of the read models is: a database and a schema in it (the live one is usually `public`). */
export interface ReadModelSource {
  readonly sql: Sql;
  readonly schema: string;
}

export interface ReadModelDifference {
  readonly table: string;
  /** How many rows only one side has (a changed row counts on both sides). */
  readonly onlyInA: number;
  readonly onlyInB: number;
  /** Up to five such rows of each side, as JSON. */
  readonly examplesA: readonly string[];
  readonly examplesB: readonly string[];
}

/** When the projector wrote a checkpoint (`now()`), not part of the fold. */
const ignoredColumns: Readonly<Record<string, readonly string[]>> = { projection_checkpoints: ['updated_at'] };

/**
 * Every row of every read-model table as JSON (generated columns included), sorted: equal
 * outputs mean equal read models. Instants in UTC, so two databases compare whatever their zone.
 */
export async function readModelRows(source: ReadModelSource): Promise<Record<string, string[]>> {
  const { tables } = await readModelDdl();
  return source.sql.tx(async (tx) => {
    await tx.exec("SET LOCAL TimeZone = 'UTC'");
    const rows: Record<string, string[]> = {};
    for (const table of tables) {
      const result = await tx.query<{ row: string }>(
        `SELECT (to_jsonb(t) - $1::text[])::text AS row FROM ${quoteIdent(source.schema)}.${quoteIdent(table)} t`,
        [ignoredColumns[table] ?? []],
      );
      rows[table] = result.map((item) => item.row).sort();
    }
    return rows;
  });
}

/**
 * Row-by-row comparison of two copies of the read models, e.g. the live ones and a fresh fold of
 * the store (`foldReadModels`). An empty array means they are equal.
 */
export async function compareReadModels(a: ReadModelSource, b: ReadModelSource): Promise<ReadModelDifference[]> {
  const [rowsA, rowsB] = [await readModelRows(a), await readModelRows(b)];
  const differences: ReadModelDifference[] = [];
  for (const table of Object.keys(rowsA)) {
    const onlyInA = multisetMinus(rowsA[table] ?? [], rowsB[table] ?? []);
    const onlyInB = multisetMinus(rowsB[table] ?? [], rowsA[table] ?? []);
    if (onlyInA.length === 0 && onlyInB.length === 0) continue;
    differences.push({
      table,
      onlyInA: onlyInA.length,
      onlyInB: onlyInB.length,
      examplesA: onlyInA.slice(0, 5),
      examplesB: onlyInB.slice(0, 5),
    });
  }
  return differences;
}

function multisetMinus(from: readonly string[], remove: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const row of remove) counts.set(row, (counts.get(row) ?? 0) + 1);
  return from.filter((row) => {
    const left = counts.get(row) ?? 0;
    if (left === 0) return true;
    counts.set(row, left - 1);
    return false;
  });
}
