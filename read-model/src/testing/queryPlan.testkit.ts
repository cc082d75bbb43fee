import type { SqlQueryable } from '@primetrade/platform';

/** A node of PostgreSQL's `EXPLAIN (FORMAT JSON)` plan, with the fields the plan tests read. */
export interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Relation Name'?: string;
  readonly 'Actual Rows': number;
  readonly 'Actual Loops': number;
  readonly 'Rows Removed by Filter'?: number;
  readonly 'Index Cond'?: string;
  readonly Plans?: readonly PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

/**
 * The last statement `read` sends, explained with the row counts it really reads (no timing): every
 * node of its plan, the root first.
 */
export async function planOf(sql: SqlQueryable, read: (sql: SqlQueryable) => Promise<unknown>): Promise<PlanNode[]> {
  let statement: { text: string; params: readonly unknown[] } | undefined;
  const recording: SqlQueryable = {
    query: (text, params = []) => {
      statement = { text, params };
      return sql.query(text, params);
    },
    exec: (text) => sql.exec(text),
    copyFrom: (table, columns, rows) => sql.copyFrom(table, columns, rows),
  };
  await read(recording);
  if (!statement) throw new Error('no statement sent');
  const [row] = await sql.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF, FORMAT JSON) ${statement.text}`,
    statement.params,
  );
  const plan = row?.['QUERY PLAN'][0].Plan;
  if (!plan) throw new Error('no plan');
  return nodesOf(plan);
}
