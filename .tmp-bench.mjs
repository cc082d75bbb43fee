import { randomUUID } from 'node:crypto';
import { createSqlEventStore, createTestDatabase } from '/work/wt-ops/platform/dist/index.js';
const db = await createTestDatabase('txid_bench', { max: 4 });
const subject = await createSqlEventStore(db.sql, { schema: 'es_subject' });
const baseline = await createSqlEventStore(db.sql, { schema: 'es_baseline' });
// Baseline: the default as it was before the rebase offset (pg_current_xact_id()).
await db.sql.exec('ALTER TABLE es_baseline.events ALTER COLUMN transaction_id SET DEFAULT pg_current_xact_id()');
const ev = () => [{ id: randomUUID(), type: 'T', data: { n: 1 }, metadata: {} }];
async function run(store, n) {
  const t = performance.now();
  for (let i = 0; i < n; i++) await store.appendToStream(`s-${i % 50}`, ev());
  return (performance.now() - t) / n;
}
await run(subject, 200); await run(baseline, 200);
const ratios = [];
for (let pair = 0; pair < 7; pair++) {
  const b = await run(baseline, 500);
  const s = await run(subject, 500);
  ratios.push(s / b);
  console.log(`pair ${pair}: baseline ${(b * 1000).toFixed(0)} µs/append, subject ${(s * 1000).toFixed(0)} µs/append, ratio ${(s / b).toFixed(3)}`);
}
ratios.sort((a, b) => a - b);
console.log(`median ratio ${ratios[3].toFixed(3)} (min ${ratios[0].toFixed(3)}, max ${ratios[6].toFixed(3)})`);
await subject.close(); await baseline.close(); await db.drop();
