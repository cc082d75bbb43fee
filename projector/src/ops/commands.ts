import { readTxidState, type Logger, type OpsConfig } from '@primetrade/platform';
import { createOpenSearchIndex } from '@primetrade/read-model';
import { rebuildReadModels } from '../rebuild.js';
import { rebuildSearchIndex } from '../search/searchRebuild.js';
import { useHistorySnapshotsEvery } from '../projections/history.projection.js';
import { applyRetention } from '../retention.js';
import { createBackup, restoreBackup, verifyBackup } from './backup.js';
import { exitCodes, helpText, progressPrinter, UsageError, type OpsCommand } from './cli.js';
import type { OpsConnections } from './connections.js';
import { rebaseUnderRelayLease, type LiveLease } from './rebaseUnderLease.js';
import { ReplayError, replayToWebhook } from './replay.js';
import { collectStatus, formatStatus } from './status.js';

export interface OpsIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export interface OpsContext {
  readonly config: OpsConfig;
  readonly connections: OpsConnections;
  readonly logger: Logger;
  readonly io: OpsIo;
}

type Runner<C extends OpsCommand['name']> = (
  command: Extract<OpsCommand, { name: C }>,
  context: OpsContext,
) => Promise<number>;

const status: Runner<'status'> = async (command, { config, connections, logger, io }) => {
  const result = await collectStatus(config, connections, logger);
  io.out(command.json ? `${JSON.stringify(result, null, 2)}\n` : formatStatus(result));
  return result.txids?.needsRebase ? exitCodes.checkFailed : exitCodes.ok;
};

const rebuild: Runner<'rebuild'> = async (_command, { config, connections, logger, io }) => {
  useHistorySnapshotsEvery(config.historySnapshotEvery);
  const progress = progressPrinter(io.err);
  const result = await rebuildReadModels({
    sql: await connections.readModels(),
    store: await connections.store(),
    logger,
    onProgress: (p) => progress.update(`rebuild: ${p.phase}, ${p.events} events (position ${p.position ?? '-'})`),
  });
  io.out(
    `rebuilt ${result.events} events of ${result.boards} boards in ${(result.durationMs / 1000).toFixed(1)} s (${result.eventsPerSecond.toFixed(0)} events/s)\n`,
  );
  return exitCodes.ok;
};

const searchRebuild: Runner<'search-rebuild'> = async (_command, { config, connections, logger, io }) => {
  if (!config.search.url) {
    io.err(
      'search-rebuild needs SEARCH_URL (the OpenSearch node). On PostgreSQL full text the search projection keeps its own tables; nothing to switch.\n',
    );
    return exitCodes.usage;
  }
  const live = createOpenSearchIndex({ url: config.search.url, prefix: config.search.prefix });
  await live.ensureCreated();
  const result = await rebuildSearchIndex({
    live,
    store: await connections.store(),
    sql: await connections.readModels(),
    logger,
  });
  io.out(
    `search index rebuilt: generation ${result.generation} live with ${result.boards} boards in ${(result.durationMs / 1000).toFixed(1)} s; deleted ${result.deleted.join(', ') || 'nothing'}\n`,
  );
  return exitCodes.ok;
};

const holders = (leases: readonly LiveLease[]): string =>
  leases.length === 0
    ? 'the lease changed hands while it was checked'
    : leases
        .map((lease) => `"${lease.holder}" holds the lease ${lease.name} until ${lease.expiresAt.toISOString()}`)
        .join('; ');

const refusal = (leases: readonly LiveLease[]): string =>
  `rebase-txids refused: a relay is running — ${holders(leases)}.\n` +
  "Stop every relay (and the other services) first, then run it again; a stopped relay releases its lease, a killed one's expires after RELAY_LEASE_TTL_MS.\n";

const rebase: Runner<'rebase-txids'> = async (command, { config, connections, io }) => {
  const sql = connections.storeSql();
  const state = command.check ? await readTxidState(sql) : null;
  if (state) {
    io.out(
      state.needsRebase
        ? `needs rebase: stored transaction ids reach ${String(state.maxStored)}, this cluster's next is ${state.nextFeedId}\n`
        : `no rebase needed (max stored ${String(state.maxStored ?? 'none')}, next ${state.nextFeedId}, offset ${state.offset})\n`,
    );
    return state.needsRebase ? exitCodes.checkFailed : exitCodes.ok;
  }
  const leased = await rebaseUnderRelayLease({
    readSql: await connections.readModels(),
    storeSql: sql,
    leaseName: `relay:${config.kafkaTopic}`,
  });
  if (leased.refused) {
    io.err(refusal(leased.refused));
    return exitCodes.refused;
  }
  const { result } = leased;
  io.out(
    result.rebased
      ? `rebased: offset ${result.previousOffset} -> ${result.offset}; stored ids reach ${String(result.maxStored)}, new events start above ${result.nextFeedId - 1n}\n`
      : `nothing to rebase (max stored ${String(result.maxStored ?? 'none')}, next ${result.nextFeedId}, offset ${result.offset})\n`,
  );
  return exitCodes.ok;
};

const replay: Runner<'replay'> = async (command, { config, connections, io }) => {
  if (!config.webhookSecret)
    throw new UsageError('replay signs every request: set REPLAY_WEBHOOK_SECRET (at least 32 characters)');
  const progress = progressPrinter(io.err);
  try {
    const result = await replayToWebhook({
      store: await connections.store(),
      url: command.to,
      from: command.from,
      secret: config.webhookSecret,
      batchSize: command.batchSize,
      maxRetries: command.maxRetries,
      backoffMs: { initial: 500, max: 30_000 },
      onProgress: (p) => progress.update(`replay: ${p.delivered} events delivered (last position ${p.lastPosition})`),
      onRetry: (r) => io.err(`replay: attempt ${r.attempt} failed (${r.reason}); retrying in ~${r.delayMs} ms\n`),
    });
    io.out(
      `delivered ${result.delivered} events; last delivered position: ${result.lastPosition ?? command.from ?? 'none'}\n`,
    );
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof ReplayError)) throw error;
    const resume = error.result.lastPosition ?? command.from;
    io.err(`replay failed: ${error.message}\n`);
    io.out(
      `delivered ${error.result.delivered} events; last delivered position: ${resume ?? 'none'}\nresume with: npm run ops -- replay --to ${command.to.href}${resume ? ` --from ${resume}` : ''}\n`,
    );
    return exitCodes.failed;
  }
};

const keptFor = (days: number, after: string): string =>
  days === 0 ? 'kept forever' : `kept ${days} days after ${after}`;

const retention: Runner<'retention'> = async (_command, { config, connections, io }) => {
  const { refreshTokenDays, notificationDays } = config.retention;
  const removed = await applyRetention(await connections.readModels(), config.retention, new Date());
  io.out(
    `retention: removed ${removed.refreshTokens} refresh tokens (${keptFor(refreshTokenDays, 'expiry or the end of the session')}) and ${removed.notifications} notifications (${keptFor(notificationDays, 'creation')})\n`,
  );
  return exitCodes.ok;
};

const backupCreate: Runner<'backup create'> = async (command, { connections, io }) => {
  const progress = progressPrinter(io.err);
  const manifest = await createBackup(await connections.store(), command.file, (p) =>
    progress.update(`backup: ${p.events} events (position ${p.lastPosition ?? '-'})`),
  );
  io.out(
    `backup ${command.file}: ${manifest.events} events in ${manifest.streams} streams, last position ${manifest.lastPosition ?? 'none'}, sha256 ${manifest.sha256}\n`,
  );
  return exitCodes.ok;
};

const backupVerify: Runner<'backup verify'> = async (command, { io }) => {
  const progress = progressPrinter(io.err);
  const report = await verifyBackup(command.file, {
    fold: command.fold,
    onProgress: (events) => progress.update(`verify: ${events} events checked`),
  });
  if (!report.ok) {
    io.out(`backup ${command.file} FAILED verification:\n  ${report.problems.join('\n  ')}\n`);
    return exitCodes.checkFailed;
  }
  io.out(
    `backup ${command.file} OK: ${report.events} events in ${report.streams} streams${command.fold ? `, ${report.boards} boards folded` : ''}, sha256 ${report.manifest?.sha256 ?? ''}\n`,
  );
  return exitCodes.ok;
};

const backupRestore: Runner<'backup restore'> = async (command, { connections, io }) => {
  const progress = progressPrinter(io.err);
  const result = await restoreBackup(await connections.store(), command.file, (events) =>
    progress.update(`restore: ${events} events appended`),
  );
  io.out(
    `restored ${result.events} events in ${result.streams} streams from ${command.file}; now run \`npm run ops -- rebuild\` (read models) and let the relay publish\n`,
  );
  return exitCodes.ok;
};

/** Runs one parsed command; returns the exit code. Unexpected errors propagate (exit 1 in main). */
export async function runCommand(command: OpsCommand, context: OpsContext): Promise<number> {
  switch (command.name) {
    case 'help':
      context.io.out(helpText);
      return exitCodes.ok;
    case 'status':
      return status(command, context);
    case 'rebuild':
      return rebuild(command, context);
    case 'search-rebuild':
      return searchRebuild(command, context);
    case 'rebase-txids':
      return rebase(command, context);
    case 'replay':
      return replay(command, context);
    case 'retention':
      return retention(command, context);
    case 'backup create':
      return backupCreate(command, context);
    case 'backup verify':
      return backupVerify(command, context);
    case 'backup restore':
      return backupRestore(command, context);
  }
}
