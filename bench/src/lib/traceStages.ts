import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { median } from './measure.js';

/**
 * B9's per-stage timestamps from the services' own OpenTelemetry spans (docs/operations.md
 * "Tracing"): a tiny OTLP/HTTP receiver on loopback that the cluster's services export to. Each write
 * carries its own `X-Request-Id`, which nginx passes on and the API's `http` span records; that
 * span's trace id then keys every span of the write (command, append, relay, Kafka send and commit,
 * the realtime consumer, the push). nginx drops a client's `traceparent` (traces start at the
 * entry point, infra/cluster/src/nginx/render.ts), so the request id is the link. Span times are the
 * services' wall clock (the OpenTelemetry SDK anchors each process's monotonic clock to
 * `Date.now()`, ±1 ms); the bench's own times are converted with `performance.timeOrigin`.
 */
interface OtlpSpan {
  readonly traceId: string;
  readonly name: string;
  readonly attributes?: readonly { key: string; value: { stringValue?: string } }[];
  readonly startTimeUnixNano: string | number;
  readonly endTimeUnixNano: string | number;
}

interface OtlpBody {
  readonly resourceSpans?: readonly {
    readonly resource?: { readonly attributes?: readonly { key: string; value: { stringValue?: string } }[] };
    readonly scopeSpans?: readonly { readonly spans?: readonly OtlpSpan[] }[];
  }[];
}

export interface TracedSpan {
  readonly service: string;
  readonly name: string;
  /** Epoch milliseconds (fractional). */
  readonly start: number;
  readonly end: number;
}

/** Which spans make which stage, and where in the span (its start or its end). */
const stageDefinitions: readonly { stage: string; match: (span: TracedSpan) => boolean; at: 'start' | 'end' }[] = [
  { stage: 'api: request in', match: (s) => s.name.startsWith('http POST'), at: 'start' },
  { stage: 'api: command start', match: (s) => s.name.startsWith('command '), at: 'start' },
  { stage: 'api: append start', match: (s) => s.name === 'eventstore.append', at: 'start' },
  { stage: 'api: append done', match: (s) => s.name === 'eventstore.append', at: 'end' },
  { stage: 'api: answer sent', match: (s) => s.name.startsWith('http POST'), at: 'end' },
  { stage: 'relay: batch read', match: (s) => s.name === 'relay.publish', at: 'start' },
  { stage: 'relay: produce acked', match: (s) => s.name === 'kafka send', at: 'end' },
  { stage: 'relay: transaction committed', match: (s) => s.name === 'kafka commit', at: 'end' },
  { stage: 'realtime: batch in', match: (s) => s.name === 'kafka consume realtime', at: 'start' },
  { stage: 'realtime: emitted', match: (s) => s.name === 'realtime.push', at: 'end' },
];

export interface TraceCollector {
  /** `http://127.0.0.1:port`: the services' `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  readonly endpoint: string;
  /** A fresh `X-Request-Id` for one write. */
  newRequestId(): string;
  /** Every span received so far of the trace whose HTTP span carries this request id. */
  spans(requestId: string): readonly TracedSpan[];
  close(): Promise<void>;
}

const nanosToMs = (value: string | number): number => Number(BigInt(value) / 1000n) / 1000;

export async function startTraceCollector(): Promise<TraceCollector> {
  const byTrace = new Map<string, TracedSpan[]>();
  const traceOfRequest = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpBody;
        for (const resource of body.resourceSpans ?? []) {
          const service =
            resource.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const scope of resource.scopeSpans ?? [])
            for (const span of scope.spans ?? []) {
              const requestId = span.attributes?.find((a) => a.key === 'primetrade.request_id')?.value.stringValue;
              if (requestId !== undefined) traceOfRequest.set(requestId, span.traceId);
              const list = byTrace.get(span.traceId) ?? [];
              list.push({
                service,
                name: span.name,
                start: nanosToMs(span.startTimeUnixNano),
                end: nanosToMs(span.endTimeUnixNano),
              });
              byTrace.set(span.traceId, list);
            }
        }
      } catch {
        // Not OTLP JSON: ignored (the stages then show fewer samples).
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    newRequestId: () => `b9-${randomBytes(12).toString('hex')}`,
    spans: (requestId) => byTrace.get(traceOfRequest.get(requestId) ?? '') ?? [],
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export interface TracedWrite {
  readonly requestId: string;
  /** Epoch ms of the request's start. */
  readonly startedAt: number;
}

/** The share of writes, slowest by the time of their last stage, whose steps `stageMedians` shows apart. */
const tailShare = 0.05;

/**
 * Per stage over the writes: the median time from the request's start (the earliest matching span's
 * start, or the latest one's end, when a stage has several spans, e.g. a retried publish), and the
 * median step from the stage before (per write, so steps add up only roughly to the totals). `stepTail`
 * is the median step over the slowest `tailShare` of the writes (by the last stage), which says where a
 * slow write lost its time.
 */
export function stageMedians(
  collector: TraceCollector,
  writes: readonly TracedWrite[],
): {
  fromStart: Record<string, number>;
  step: Record<string, number>;
  stepP90: Record<string, number>;
  stepTail: Record<string, number>;
} {
  const push = (map: Map<string, number[]>, key: string, value: number) =>
    map.set(key, [...(map.get(key) ?? []), value]);
  const lastStage = stageDefinitions[stageDefinitions.length - 1]!.stage;
  const perWrite = writes.map((write) => {
    const spans = collector.spans(write.requestId);
    const fromStart = new Map<string, number>();
    const step = new Map<string, number>();
    let previous = 0;
    for (const { stage, match, at } of stageDefinitions) {
      const matching = spans.filter(match);
      // A stage a write did not pass (no transaction to commit) is skipped: the next step is from the
      // stage before it.
      if (matching.length === 0) continue;
      const value =
        (at === 'start' ? Math.min(...matching.map((s) => s.start)) : Math.max(...matching.map((s) => s.end))) -
        write.startedAt;
      fromStart.set(stage, value);
      step.set(stage, value - previous);
      previous = value;
    }
    return { fromStart, step };
  });
  const gather = (of: typeof perWrite, key: 'fromStart' | 'step') => {
    const map = new Map<string, number[]>();
    for (const write of of) for (const [stage, value] of write[key]) push(map, stage, value);
    return map;
  };
  const fromStart = gather(perWrite, 'fromStart');
  const step = gather(perWrite, 'step');
  const ended = perWrite.filter((write) => write.fromStart.has(lastStage));
  const slowest = [...ended]
    .sort((a, b) => b.fromStart.get(lastStage)! - a.fromStart.get(lastStage)!)
    .slice(0, Math.max(1, Math.ceil(ended.length * tailShare)));
  const tailStep = gather(slowest, 'step');
  const percentile = (list: readonly number[], share: number) =>
    share === 0.5 ? median(list) : [...list].sort((a, b) => a - b)[Math.floor(share * (list.length - 1))]!;
  const medians = (map: Map<string, number[]>, share = 0.5) =>
    Object.fromEntries(
      stageDefinitions.flatMap(({ stage }) => {
        const list = map.get(stage);
        return list && list.length > 0 ? [[stage, Math.round(percentile(list, share) * 100) / 100]] : [];
      }),
    );
  return {
    fromStart: medians(fromStart),
    step: medians(step),
    stepP90: medians(step, 0.9),
    stepTail: medians(tailStep),
  };
}
