import { decodePosition, type EventToAppend, type Position, type StoredEvent } from '@primetrade/platform';

/**
 * The backup file (NDJSON, UTF-8): a header line, one line per stored event in global order, and
 * a trailing manifest line whose `sha256` covers every byte before it. Portable across stores: it
 * holds what `appendToStream` needs (ids, types, data, metadata, per-stream revisions) plus the
 * source positions for reference.
 */
export const backupFormat = 'primetrade-event-store-backup';
export const backupVersion = 1;

export interface BackupHeader {
  readonly format: typeof backupFormat;
  readonly version: typeof backupVersion;
  readonly createdAt: string;
}

export interface BackupEventLine {
  readonly position: Position;
  readonly streamId: string;
  /** Decimal string (revisions are 64-bit). */
  readonly revision: string;
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: string;
}

export interface BackupManifest {
  readonly events: number;
  readonly streams: number;
  readonly firstPosition: Position | null;
  readonly lastPosition: Position | null;
  /** Hex SHA-256 of the file up to (not including) the manifest line. */
  readonly sha256: string;
}

export const toEventLine = (event: StoredEvent): BackupEventLine => ({
  position: event.position,
  streamId: event.streamId,
  revision: event.revision.toString(),
  id: event.id,
  type: event.type,
  data: event.data,
  metadata: { ...event.metadata },
  recordedAt: event.recordedAt.toISOString(),
});

export const toEventToAppend = (line: BackupEventLine): EventToAppend => ({
  id: line.id,
  type: line.type,
  data: line.data,
  metadata: line.metadata,
});

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The event line, or the reason it is not one. */
export function parseEventLine(value: unknown): BackupEventLine | string {
  if (!isObject(value)) return 'not a JSON object';
  const { position, streamId, revision, id, type, metadata, recordedAt } = value;
  if (typeof position !== 'string') return 'position missing';
  try {
    decodePosition(position);
  } catch {
    return `position ${JSON.stringify(position)} is not a store position`;
  }
  if (typeof streamId !== 'string' || streamId.length === 0) return 'streamId missing';
  if (typeof revision !== 'string' || !/^\d{1,19}$/.test(revision)) return 'revision is not a decimal string';
  if (typeof id !== 'string' || !uuid.test(id)) return 'id is not a UUID';
  if (typeof type !== 'string' || type.length === 0) return 'type missing';
  if (!('data' in value)) return 'data missing';
  if (!isObject(metadata)) return 'metadata is not an object';
  if (typeof recordedAt !== 'string' || Number.isNaN(Date.parse(recordedAt))) return 'recordedAt is not a timestamp';
  return value as unknown as BackupEventLine;
}

export function parseHeader(value: unknown): string | null {
  if (!isObject(value) || value.format !== backupFormat) return `not a ${backupFormat} file (header line)`;
  if (value.version !== backupVersion)
    return `unsupported backup version ${JSON.stringify(value.version)} (this tool reads ${backupVersion})`;
  return null;
}

export function parseManifest(value: unknown): BackupManifest | null {
  if (!isObject(value) || !isObject(value.manifest)) return null;
  const m = value.manifest;
  const positionOrNull = (p: unknown) => p === null || typeof p === 'string';
  if (
    typeof m.events !== 'number' ||
    typeof m.streams !== 'number' ||
    typeof m.sha256 !== 'string' ||
    !positionOrNull(m.firstPosition) ||
    !positionOrNull(m.lastPosition)
  )
    return null;
  return m as unknown as BackupManifest;
}
