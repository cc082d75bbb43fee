import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Envelope } from '@primetrade/domain';
import {
  InMemorySpanExporter,
  createTestPglite,
  loadConfig,
  startTracing,
  type ReadableSpan,
  type Sql,
  type Tracing,
} from '@primetrade/platform';
import { eventuallyFound } from '@primetrade/platform/testkit/found.testkit.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedSystem } from './embedded.js';

/**
 * One command followed through every stage of the embedded product, exported to an in-process
 * collector (an in-memory span exporter): HTTP → command → append, relay → bus → projector, and
 * bus → socket push — all in one trace, each stage a child of the one before.
 */
const collector = new InMemorySpanExporter();
let tracing: Tracing;
let sql: Sql;
let dataDir: string;
let system: EmbeddedSystem;
let token: string;
let boardId: string;

async function call<T = Record<string, unknown>>(
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${system.url}${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

const eventually = <T>(probe: () => T | undefined): Promise<T> => eventuallyFound(probe, 10_000, 25);

const spansOf = (traceId: string) =>
  collector.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
const named = (spans: readonly ReadableSpan[], name: string) => spans.filter((span) => span.name === name);
const only = (spans: readonly ReadableSpan[], name: string): ReadableSpan => {
  const found = named(spans, name);
  expect(
    found.map((span) => span.name),
    name,
  ).toEqual([name]);
  return found[0] as ReadableSpan;
};
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

beforeAll(async () => {
  tracing = await startTracing({ exporter: 'none', spanExporter: collector, serviceName: 'primetrade-test' });
  sql = await createTestPglite();
  dataDir = await mkdtemp(path.join(tmpdir(), 'pt-trace-'));
  system = await startEmbedded({
    config: loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', WEB_ROOT: '' }),
    sql,
  });
  const registered = await call<{ accessToken: string }>('POST', '/api/v1/auth/register', {
    email: 'tracer@example.test',
    password: 'correct horse battery',
    name: 'Tracer',
  });
  token = registered.body.accessToken;
  const board = await call<{ board: { id: string } }>('POST', '/api/v1/boards', { name: 'Traced' });
  boardId = board.body.board.id;
});

afterAll(async () => {
  await system?.close();
  await tracing?.shutdown();
  await sql?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('Tracing one command through the embedded product', () => {
  it('exports every stage in one trace, each parented by the stage before it', async () => {
    const created = await call<{ id: string }>('POST', `/api/v1/boards/${boardId}/tasks`, { title: 'Follow me' });
    expect(created.status).toBe(201);
    const http = await eventually(() =>
      collector.getFinishedSpans().find((span) => span.name === 'http POST /api/v1/boards/:boardId/tasks'),
    );
    const traceId = http.spanContext().traceId;
    const trace = await eventually(() => {
      const spans = spansOf(traceId);
      return named(spans, 'realtime.push').length > 0 && named(spans, 'projector.apply').length > 0 ? spans : undefined;
    });

    const command = only(trace, 'command CreateTask');
    const append = only(trace, 'eventstore.append');
    // Two relays read the store in embedded mode: the bus's, and the search feed's own (ADR 0026).
    const relay = only(
      trace.filter((span) => span.attributes['primetrade.checkpoint'] === 'relay'),
      'relay.publish',
    );
    expect(
      named(trace, 'relay.publish')
        .map((span) => span.attributes['primetrade.checkpoint'])
        .sort(),
    ).toEqual(['relay', 'search']);
    const toProjector = only(trace, 'bus consume projector');
    const projected = only(trace, 'projector.apply');
    const toRealtime = only(trace, 'bus consume realtime');
    const pushed = only(trace, 'realtime.push');
    expect(parentOf(http)).toBeUndefined();
    expect(parentOf(command)).toBe(http.spanContext().spanId);
    expect(parentOf(append)).toBe(command.spanContext().spanId);
    expect(parentOf(relay)).toBe(command.spanContext().spanId);
    expect(parentOf(toProjector)).toBe(relay.spanContext().spanId);
    expect(parentOf(projected)).toBe(toProjector.spanContext().spanId);
    expect(parentOf(toRealtime)).toBe(relay.spanContext().spanId);
    expect(parentOf(pushed)).toBe(toRealtime.spanContext().spanId);
    expect(http.attributes['http.response.status_code']).toBe(201);
    expect(command.attributes['primetrade.correlation_id']).toBe(created.headers.get('x-request-id'));
  });

  it('stores the command span as the event’s traceparent, next to its correlation id', async () => {
    const created = await call<{ id: string }>('POST', `/api/v1/boards/${boardId}/tasks`, { title: 'Stored context' });
    const requestId = created.headers.get('x-request-id');
    const page = await call<{ events: Envelope[] }>('GET', `/api/v1/boards/${boardId}/events?after=-1`);
    const event = page.body.events.find((candidate) => candidate.correlationId === requestId);
    const command = collector
      .getFinishedSpans()
      .find((span) => span.name === 'command CreateTask' && span.attributes['primetrade.correlation_id'] === requestId);
    expect(event?.traceparent).toBe(`00-${command?.spanContext().traceId}-${command?.spanContext().spanId}-01`);
  });

  it('continues the caller’s trace when the request carries a traceparent header', async () => {
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    await call(
      'POST',
      `/api/v1/boards/${boardId}/tasks`,
      { title: 'Joined' },
      { traceparent: `00-${callerTrace}-00f067aa0ba902b7-01` },
    );
    const http = await eventually(() => spansOf(callerTrace).find((span) => span.name.startsWith('http POST')));
    expect(parentOf(http)).toBe('00f067aa0ba902b7');
    await eventually(() => (named(spansOf(callerTrace), 'realtime.push').length > 0 ? true : undefined));
  });

  it('ignores a malformed traceparent header and starts a trace of its own', async () => {
    await call(
      'POST',
      `/api/v1/boards/${boardId}/tasks`,
      { title: 'Bad header' },
      { traceparent: '00-zz-not-a-trace' },
    );
    const http = await eventually(() =>
      collector
        .getFinishedSpans()
        .findLast((span) => span.name.startsWith('http POST') && span.attributes['http.response.status_code'] === 201),
    );
    expect(parentOf(http)).toBeUndefined();
  });

  it('records each stage in the metrics: append and push latency, projection lag', async () => {
    const metrics = await (await fetch(`${system.url}/metrics`)).text();
    const value = (line: RegExp) => Number(line.exec(metrics)?.[1] ?? Number.NaN);
    expect(value(/^primetrade_event_store_append_duration_seconds_count\{result="ok"\} (\d+)/m)).toBeGreaterThanOrEqual(
      4,
    );
    expect(value(/^primetrade_push_latency_seconds_count (\d+)/m)).toBeGreaterThanOrEqual(4);
    expect(value(/^primetrade_projection_lag_seconds (\S+)/m)).toBeGreaterThanOrEqual(0);
    expect(value(/^primetrade_projection_lag_revisions\{partition="all"\} (\S+)/m)).toBe(0);
    expect(value(/^primetrade_projector_halted_partitions (\S+)/m)).toBe(0);
  });
});
