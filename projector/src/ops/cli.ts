import { parseArgs } from 'node:util';
import { decodePosition } from '@primetrade/platform';

/** Exit codes of `npm run ops` (docs/operations.md "Operations CLI"). */
export const exitCodes = { ok: 0, failed: 1, usage: 2, checkFailed: 3, refused: 4 } as const;

export const helpText = `PrimeTrade operations CLI: run against a cluster's PostgreSQL event store, read models and Kafka.

usage: npm run ops -- <command> [options]      (or: node projector/dist/ops/main.js <command>)

commands:
  status [--json]                 relay checkpoints and pending events, Kafka offsets and lag per
                                  partition (groups projector, realtime), projected boards, txid state
  rebuild                         replay the event store into fresh read-model tables, then switch over
  search-rebuild                  build the next generation of the OpenSearch index (SEARCH_URL) from
                                  the store and the read models while the live one serves, switch the
                                  aliases, delete the old generation (run it with the services up)
  rebase-txids [--check]          after pg_dump/pg_restore into another PostgreSQL cluster: make new
                                  events sort after the restored ones; holds the relay lease meanwhile
                                  and refuses (exit 4) while a live relay holds it; --check only
                                  reports (exit 3 when a rebase is needed)
  replay --to <url> [--from <position>] [--batch-size <n>] [--max-retries <n>]
                                  POST board events after <position> (default: from the start) to a
                                  webhook, in order, signed (x-primetrade-signature: sha256=HMAC of
                                  the body with REPLAY_WEBHOOK_SECRET); prints the last delivered
                                  position, to resume with --from
  retention                       delete refresh tokens and notifications past retention now (what the
                                  projector does every RETENTION_INTERVAL_MS), in batches; prints counts
  backup create <file>            write every stored event + a checksummed manifest (NDJSON)
  backup verify <file> [--fold]   checksum, structure, order, counts; --fold also folds every board
  backup restore <file>           verify, then append every event to an EMPTY event store

environment: DATABASE_URL (read models; required), EVENT_STORE (postgres|eventstoredb),
  EVENT_STORE_URL (default DATABASE_URL), KAFKA_BROKERS, KAFKA_TOPIC, REPLAY_WEBHOOK_SECRET,
  RETENTION_REFRESH_TOKENS_DAYS, RETENTION_NOTIFICATIONS_DAYS, SEARCH_URL, SEARCH_INDEX_PREFIX
exit codes: 0 done, 1 failed, 2 bad usage or configuration, 3 check failed (verify, rebase --check),
  4 refused (rebase-txids while a relay runs)
`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type OpsCommand =
  | { readonly name: 'help' }
  | { readonly name: 'status'; readonly json: boolean }
  | { readonly name: 'rebuild' }
  | { readonly name: 'search-rebuild' }
  | { readonly name: 'rebase-txids'; readonly check: boolean }
  | {
      readonly name: 'replay';
      readonly to: URL;
      readonly from: string | null;
      readonly batchSize: number;
      readonly maxRetries: number;
    }
  | { readonly name: 'retention' }
  | { readonly name: 'backup create'; readonly file: string }
  | { readonly name: 'backup restore'; readonly file: string }
  | { readonly name: 'backup verify'; readonly file: string; readonly fold: boolean };

const options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  check: { type: 'boolean' },
  fold: { type: 'boolean' },
  to: { type: 'string' },
  from: { type: 'string' },
  'batch-size': { type: 'string' },
  'max-retries': { type: 'string' },
} as const;

function integer(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return parsed;
}

function webhookUrl(value: string | undefined): URL {
  if (!value) throw new UsageError('replay needs --to <webhook url>');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--to must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--to must be an http(s) URL, got ${JSON.stringify(value)}`);
  return url;
}

function position(value: string | undefined): string | null {
  if (value === undefined) return null;
  try {
    decodePosition(value);
  } catch {
    throw new UsageError(
      `--from must be a store position like 00000000000000000731.00000000000000000042 (printed by replay and status), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Parses argv (after the node and script names); throws UsageError with the reason. */
export function parseCommand(argv: readonly string[]): OpsCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, sub, file, ...extra] = positionals;
  if (values.help || command === undefined || command === 'help') return { name: 'help' };
  const noMore = (count: number) => {
    if (positionals.length > count) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[count])}`);
  };
  switch (command) {
    case 'status':
      noMore(1);
      return { name: 'status', json: values.json ?? false };
    case 'rebuild':
      noMore(1);
      return { name: 'rebuild' };
    case 'search-rebuild':
      noMore(1);
      return { name: 'search-rebuild' };
    case 'retention':
      noMore(1);
      return { name: 'retention' };
    case 'rebase-txids':
      noMore(1);
      return { name: 'rebase-txids', check: values.check ?? false };
    case 'replay':
      noMore(1);
      return {
        name: 'replay',
        to: webhookUrl(values.to),
        from: position(values.from),
        batchSize: integer(values['batch-size'], 'batch-size', 100, 1, 5_000),
        maxRetries: integer(values['max-retries'], 'max-retries', 8, 0, 100),
      };
    case 'backup': {
      if (sub !== 'create' && sub !== 'verify' && sub !== 'restore')
        throw new UsageError('backup needs create|verify|restore <file>');
      if (!file) throw new UsageError(`backup ${sub} needs a <file>`);
      if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
      if (sub === 'verify') return { name: 'backup verify', file, fold: values.fold ?? false };
      return sub === 'create' ? { name: 'backup create', file } : { name: 'backup restore', file };
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

/** Progress lines on stderr, at most one per second (and the last one always). */
export function progressPrinter(write: (line: string) => void, intervalMs = 1_000) {
  let lastAt = 0;
  return {
    update(line: string) {
      const now = Date.now();
      if (now - lastAt < intervalMs) return;
      lastAt = now;
      write(`${line}\n`);
    },
    done(line: string) {
      write(`${line}\n`);
    },
  };
}
