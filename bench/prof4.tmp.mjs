import { createSqlEventStore, createTestDatabase } from '@primetrade/platform';
import { appendHistories, boardHistories, rebuildReadModels } from '@primetrade/projector';
import { runMigrations } from '@primetrade/read-model';
const database = await createTestDatabase('prof_b5r4', { max: 4 });
const { sql } = database;
try {
  await runMigrations(sql);
  const store = await createSqlEventStore(sql, { schema: 'es_b5' });
  await appendHistories(store, boardHistories({ boards: 200, eventsPerBoard: 200, seed: 5 }), 50);
  const times = new Map();
  const rec = (k, t) => { const v = times.get(k) ?? [0,0]; v[0]+=performance.now()-t; v[1]++; times.set(k, v); };
  const wrap = (q) => ({
    ...q,
    async query(text, params) { const t = performance.now(); try { return await q.query(text, params); } finally { rec(text.trim().slice(0, 50).replace(/\s+/g,' '), t);} },
    async exec(text) { if (text.includes(';\n')) { for (const part of text.split(';\n')) { if (/^\s*WITH task_rows/.test(part) && (globalThis.k = (globalThis.k ?? 0) + 1) === 12) { const rows = await q.query('EXPLAIN (ANALYZE) ' + part); console.log(rows.map(r => r['QUERY PLAN']).join('\n')); continue; } const t = performance.now(); await q.exec(part); rec('PART ' + part.trim().slice(0, 40).replace(/\s+/g,' '), t); } return; } const t = performance.now(); try { return await q.exec(text); } finally { rec('EXEC ' + text.trim().slice(0, 40).replace(/\s+/g,' '), t);} },
  });
  const wsql = { ...sql, kind: sql.kind, query: (a,b) => wrap(sql).query(a,b), exec: (a) => wrap(sql).exec(a), tx: (fn) => sql.tx((tx) => fn(wrap(tx))) };
  const wstore = { ...store, readAll: async (o) => { const t = performance.now(); try { return await store.readAll(o); } finally { rec('readAll', t); } } };
  const r = await rebuildReadModels({ sql: wsql, store: wstore });
  console.log(Math.round(r.eventsPerSecond), 'events/s', Math.round(r.durationMs), 'ms');
  for (const [k, [t, n]] of [...times].sort((a, b) => b[1][0] - a[1][0]).slice(0, 14)) console.log(t.toFixed(0).padStart(7), 'ms', String(n).padStart(5), k);
  await store.close();
} finally { await database.drop(); }
