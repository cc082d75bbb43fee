import { afterEach, describe, expect, it } from 'vitest';
import { InMemorySpanExporter } from '../testkit/spans.testkit.js';
import {
  currentTraceContext,
  currentTraceparent,
  formatTraceparent,
  inEventSpans,
  inSpan,
  parseTraceparent,
  startTracing,
  tracingEnabled,
  type Tracing,
} from './tracing.js';

const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const other = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('Tracing', () => {
  describe('when off (the default)', () => {
    it('runs the work directly: no span, no traceparent, the very same events', async () => {
      expect(tracingEnabled()).toBe(false);
      expect(await inSpan('x', {}, async (span) => span)).toBeUndefined();
      const events = [{ traceparent: parent }];
      expect(await inEventSpans('hop', {}, events, async (seen) => seen)).toBe(events);
      expect(currentTraceparent()).toBeUndefined();
      expect(currentTraceContext()).toEqual({});
    });

    it('stays off with exporter none', async () => {
      const tracing = await startTracing({ exporter: 'none', serviceName: 'test' });
      expect(tracing.enabled).toBe(false);
      expect(tracingEnabled()).toBe(false);
    });
  });

  describe('traceparent', () => {
    it('round-trips a span context and refuses malformed or all-zero ids and the invalid version ff', () => {
      const context = parseTraceparent(parent);
      expect(context).toMatchObject({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: 1,
      });
      expect(formatTraceparent(context!)).toBe(parent);
      for (const bad of [
        undefined,
        '',
        'garbage',
        'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
        '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      ]) {
        expect(parseTraceparent(bad), String(bad)).toBeUndefined();
      }
      // W3C Trace Context: a later version is read as version 00 (forward compatibility).
      expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toMatchObject({
        spanId: '00f067aa0ba902b7',
      });
    });
  });

  describe('when on', () => {
    // A shut-down provider shuts its exporter down too: one collector per test.
    let collector = new InMemorySpanExporter();
    let tracing: Tracing | undefined;
    afterEach(async () => {
      await tracing?.shutdown();
      tracing = undefined;
      collector = new InMemorySpanExporter();
    });

    it('nests spans through awaits and exposes the active one as a traceparent', async () => {
      tracing = await startTracing({ exporter: 'none', spanExporter: collector, serviceName: 'test' });
      let inner: string | undefined;
      await inSpan('outer', {}, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await inSpan('inner', {}, async () => {
          inner = currentTraceparent();
        });
      });
      const [innerSpan, outerSpan] = collector.getFinishedSpans();
      expect(innerSpan?.parentSpanContext?.spanId).toBe(outerSpan?.spanContext().spanId);
      expect(inner).toBe(formatTraceparent(innerSpan!.spanContext()));
    });

    it('makes one span per trace in a mixed batch, each a child of its event’s context, and re-stamps the events', async () => {
      tracing = await startTracing({ exporter: 'none', spanExporter: collector, serviceName: 'test' });
      const events = [
        { id: 1, traceparent: parent },
        { id: 2 },
        { id: 3, traceparent: other },
        { id: 4, traceparent: parent },
      ];
      const seen = await inEventSpans('hop', {}, events, async (stamped) => stamped);
      const spans = collector.getFinishedSpans();
      expect(spans.map((span) => span.parentSpanContext?.spanId).sort()).toEqual([
        '00f067aa0ba902b7',
        'b7ad6b7169203331',
      ]);
      const first = spans.find((span) => span.spanContext().traceId === '4bf92f3577b34da6a3ce929d0e0e4736')!;
      expect(first.attributes['primetrade.events']).toBe(2);
      expect(seen[0]?.traceparent).toBe(formatTraceparent(first.spanContext()));
      expect(seen[3]?.traceparent).toBe(seen[0]?.traceparent);
      expect(seen[1]).toBe(events[1]);
      expect(events[0]?.traceparent).toBe(parent);
    });

    it('marks the spans failed when the work rejects, and passes the rejection on', async () => {
      tracing = await startTracing({ exporter: 'none', spanExporter: collector, serviceName: 'test' });
      await expect(
        inEventSpans('hop', {}, [{ traceparent: parent }], () => Promise.reject(new Error('broker down'))),
      ).rejects.toThrow('broker down');
      await expect(inSpan('op', {}, () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
      expect(collector.getFinishedSpans().map((span) => span.status)).toEqual([
        { code: 2, message: 'broker down' },
        { code: 2, message: 'nope' },
      ]);
    });

    it('records exceptions, status messages and attributes through the same redaction as error reports', async () => {
      tracing = await startTracing({ exporter: 'none', spanExporter: collector, serviceName: 'test' });
      const leaky = new Error(
        'login failed for ada@example.test with Bearer abc.def.ghi at postgres://app:hunter2@db:5432/pt',
      );
      const attributes = {
        'http.request.header.authorization': 'Bearer s3cret',
        'user.email': 'ada@example.test',
        'http.route': '/auth/login',
        note: 'mail ada@example.test',
      };
      await expect(inSpan('login', { attributes }, () => Promise.reject(leaky))).rejects.toBe(leaky);
      await expect(
        inEventSpans('hop', { attributes }, [{ traceparent: parent }], () => Promise.reject(leaky)),
      ).rejects.toBe(leaky);
      for (const span of collector.getFinishedSpans()) {
        const recorded = JSON.stringify({ attributes: span.attributes, status: span.status, events: span.events });
        for (const secret of ['ada@example.test', 's3cret', 'abc.def.ghi', 'hunter2'])
          expect(recorded, span.name).not.toContain(secret);
        expect(span.events.map((event) => event.name)).toEqual(['exception']);
        expect(String(span.events[0]?.attributes?.['exception.message'])).toContain('[redacted-email]');
        expect(span.attributes['http.route']).toBe('/auth/login');
      }
      // The caller still gets the very error, unredacted.
      expect(leaky.message).toContain('ada@example.test');
    });

    it('refuses a second start in the same process and is off again after shutdown', async () => {
      tracing = await startTracing({ exporter: 'none', spanExporter: collector, serviceName: 'test' });
      await expect(startTracing({ exporter: 'none', spanExporter: collector, serviceName: 'again' })).rejects.toThrow(
        /already/,
      );
      await tracing.shutdown();
      tracing = undefined;
      expect(tracingEnabled()).toBe(false);
    });
  });
});
