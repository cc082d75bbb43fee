import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
const db = await PGlite.create({ extensions: { pg_trgm, fuzzystrmatch } });
await db.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;');
console.log((await db.query(`select levenshtein_less_equal('urgnt','urgent',1) d, similarity('urgnt','urgent') s, ts_headline('simple','Fix urgent bug', to_tsquery('simple','urgent'), 'StartSel="'||chr(2)||'", StopSel="'||chr(3)||'", HighlightAll=true') h`)).rows);
const d = await db.dumpDataDir('none'); await db.close();
const db2 = await PGlite.create({ loadDataDir: d, extensions: { pg_trgm, fuzzystrmatch } });
await db2.exec('CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;'); console.log('ok2');
