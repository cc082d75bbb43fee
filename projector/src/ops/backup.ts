import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { boardIdOfStream, evolve, initialBoardState, type BoardState } from '@primetrade/domain';
import { comparePositions, toEnvelope, type EventStore, type Position } from '@primetrade/platform';
import {
  backupFormat,
  backupVersion,
  parseEventLine,
  parseHeader,
  parseManifest,
  toEventLine,
  toEventToAppend,
  type BackupEventLine,
  type BackupManifest,
} from './backupFormat.js';

export interface BackupProgress {
  readonly events: number;
  readonly lastPosition: Position | null;
}

/**
 * `backup create <file>`: every stored event (all streams) in global order, written to
 * `<file>.partial` and renamed when complete, so a file with the name is always whole. Appends
 * made meanwhile are either in it or after its `lastPosition`.
 */
export async function createBackup(
  store: EventStore,
  file: string,
  onProgress: (p: BackupProgress) => void,
  batchSize = 2_000,
): Promise<BackupManifest> {
  const partial = `${file}.partial`;
  if (
    await stat(file).then(
      () => true,
      () => false,
    )
  )
    throw new Error(`${file} exists: backups are never overwritten`);
  const handle = await open(partial, 'wx');
  const hash = createHash('sha256');
  const streams = new Set<string>();
  let events = 0;
  let firstPosition: Position | null = null;
  let lastPosition: Position | null = null;
  const write = async (line: string) => {
    hash.update(line);
    await handle.write(line);
  };
  try {
    await write(
      `${JSON.stringify({ format: backupFormat, version: backupVersion, createdAt: new Date().toISOString() })}\n`,
    );
    for (;;) {
      const batch = await store.readAll({ after: lastPosition, maxCount: batchSize });
      if (batch.length === 0) break;
      await write(batch.map((event) => `${JSON.stringify(toEventLine(event))}\n`).join(''));
      for (const event of batch) streams.add(event.streamId);
      events += batch.length;
      firstPosition ??= batch[0]?.position ?? null;
      lastPosition = batch.at(-1)?.position ?? lastPosition;
      onProgress({ events, lastPosition });
    }
    const manifest: BackupManifest = {
      events,
      streams: streams.size,
      firstPosition,
      lastPosition,
      sha256: hash.digest('hex'),
    };
    await handle.write(`${JSON.stringify({ manifest })}\n`);
    await handle.sync();
    await handle.close();
    await rename(partial, file);
    return manifest;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}

export interface VerifyReport {
  readonly ok: boolean;
  /** The first problems found (at most 20), each with its line number. */
  readonly problems: readonly string[];
  readonly events: number;
  readonly streams: number;
  /** Boards folded (with `fold`). */
  readonly boards: number;
  readonly manifest: BackupManifest | null;
}

/** Structural and ordering checks of event lines; with `fold`, each board's events through `evolve`. */
function createChecker(fold: boolean, problem: (message: string) => void) {
  const revisions = new Map<string, bigint>();
  const ids = new Set<string>();
  const boards = new Map<string, BoardState>();
  let last: Position | null = null;
  return {
    revisions,
    boards,
    get last() {
      return last;
    },
    check(line: BackupEventLine, at: number) {
      if (last !== null && comparePositions(line.position, last) <= 0)
        problem(`line ${at}: position ${line.position} does not follow ${last}`);
      last = line.position;
      if (ids.has(line.id)) problem(`line ${at}: event id ${line.id} appears twice`);
      ids.add(line.id);
      const expected = (revisions.get(line.streamId) ?? -1n) + 1n;
      if (BigInt(line.revision) !== expected)
        problem(`line ${at}: ${line.streamId} revision ${line.revision}, expected ${expected}`);
      revisions.set(line.streamId, BigInt(line.revision));
      if (fold && boardIdOfStream(line.streamId) !== null) foldBoardEvent(line, at);
    },
  };

  function foldBoardEvent(line: BackupEventLine, at: number): void {
    try {
      const envelope = toEnvelope({ ...line, revision: BigInt(line.revision), recordedAt: new Date(line.recordedAt) });
      const before = boards.get(envelope.boardId) ?? initialBoardState;
      const after = evolve(before, envelope);
      if (after.status === 'initial')
        problem(`line ${at}: board ${envelope.boardId} does not start with BoardCreated (${line.type})`);
      boards.set(envelope.boardId, after);
    } catch (error) {
      problem(`line ${at}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** `backup verify <file> [--fold]`: checksum, structure, order and counts; nothing is written. */
export async function verifyBackup(
  file: string,
  options: { readonly fold: boolean; readonly onProgress?: (events: number) => void },
): Promise<VerifyReport> {
  const problems: string[] = [];
  const problem = (message: string) => {
    if (problems.length < 20) problems.push(message);
  };
  const checker = createChecker(options.fold, problem);
  const hash = createHash('sha256');
  let manifest: BackupManifest | null = null;
  let events = 0;
  let at = 0;
  for await (const text of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    at += 1;
    if (manifest) {
      problem(`line ${at}: content after the manifest`);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      problem(`line ${at}: not JSON`);
      hash.update(`${text}\n`);
      continue;
    }
    manifest = at > 1 ? parseManifest(value) : null;
    if (manifest) continue;
    hash.update(`${text}\n`);
    if (at === 1) {
      const bad = parseHeader(value);
      if (bad) {
        problem(`line 1: ${bad}`);
        break;
      }
      continue;
    }
    const line = parseEventLine(value);
    if (typeof line === 'string') problem(`line ${at}: ${line}`);
    else checker.check(line, at);
    events += 1;
    options.onProgress?.(events);
  }
  if (at === 0) problem('the file is empty');
  else if (!manifest) problem('no manifest line: the backup is truncated');
  else
    compareManifest(
      manifest,
      { events, streams: checker.revisions.size, lastPosition: checker.last, sha256: hash.digest('hex') },
      problem,
    );
  return {
    ok: problems.length === 0,
    problems,
    events,
    streams: checker.revisions.size,
    boards: checker.boards.size,
    manifest,
  };
}

function compareManifest(
  manifest: BackupManifest,
  found: Omit<BackupManifest, 'firstPosition'>,
  problem: (message: string) => void,
): void {
  if (manifest.sha256 !== found.sha256)
    problem(`checksum mismatch: manifest ${manifest.sha256}, content ${found.sha256}`);
  if (manifest.events !== found.events)
    problem(`the manifest counts ${manifest.events} events, the file holds ${found.events}`);
  if (manifest.streams !== found.streams)
    problem(`the manifest counts ${manifest.streams} streams, the file holds ${found.streams}`);
  if (manifest.lastPosition !== found.lastPosition)
    problem(
      `the manifest's last position ${String(manifest.lastPosition)} is not the last event's ${String(found.lastPosition)}`,
    );
}

/**
 * `backup restore <file>`: verifies the file, then appends its events, in their order, to an
 * EMPTY store (refused otherwise), keeping ids, types, data, metadata and per-stream revisions.
 * Positions are the new store's own.
 */
export async function restoreBackup(
  store: EventStore,
  file: string,
  onProgress: (events: number) => void,
): Promise<{ events: number; streams: number }> {
  const report = await verifyBackup(file, { fold: false });
  if (!report.ok) throw new Error(`The backup does not verify; nothing restored:\n  ${report.problems.join('\n  ')}`);
  if ((await store.readAll({ maxCount: 1 })).length > 0)
    throw new Error('The event store is not empty: restore only into an empty store');
  let run: BackupEventLine[] = [];
  let events = 0;
  const flush = async () => {
    const first = run[0];
    if (!first) return;
    const revision = BigInt(first.revision);
    await store.appendToStream(first.streamId, run.map(toEventToAppend), {
      expectedRevision: revision === 0n ? 'no_stream' : revision - 1n,
    });
    events += run.length;
    run = [];
    onProgress(events);
  };
  let at = 0;
  for await (const text of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    at += 1;
    if (at === 1 || at > report.events + 1) continue;
    const line = JSON.parse(text) as BackupEventLine;
    if (run.length > 0 && (run[0]?.streamId !== line.streamId || run.length >= 100)) await flush();
    run.push(line);
  }
  await flush();
  return { events, streams: report.streams };
}
