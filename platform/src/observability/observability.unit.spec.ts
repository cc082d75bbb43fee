import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, redactedPaths } from './logger.js';
import { createMetrics } from './metrics.js';

describe('Logger', () => {
  it('creates a pino logger at the given level', () => {
    const logger = createLogger({ level: 'warn', name: 'test' });
    expect(logger.level).toBe('warn');
    expect(logger.isLevelEnabled('info')).toBe(false);
  });

  it('redacts credentials wherever the redaction list names them', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    // Same redaction config as createLogger, pointed at a sink the test can read.
    const logger = pino({ redact: { paths: redactedPaths, censor: '[redacted]' } }, sink);
    logger.info(
      {
        req: { headers: { authorization: 'Bearer abc' } },
        body: { password: 'hunter2', refreshToken: 'r1' },
        token: 't1',
        email: 'a@b.c',
      },
      'hi',
    );
    const line = lines.join('');
    for (const secret of ['Bearer abc', 'hunter2', 'r1', 't1']) expect(line).not.toContain(secret);
    expect(line).toContain('a@b.c');
  });
});

describe('Metrics', () => {
  it('registers the shared metrics and process metrics in a fresh registry per call', async () => {
    const first = createMetrics();
    const second = createMetrics();
    expect(first.registry).not.toBe(second.registry);
    first.appendDuration.observe({ result: 'ok' }, 0.002);
    first.breakerState.set({ name: 'redis' }, 2);
    const text = await first.registry.metrics();
    expect(text).toContain('primetrade_event_store_append_duration_seconds_count{result="ok"} 1');
    expect(text).toContain('primetrade_breaker_state{name="redis"} 2');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(await second.registry.metrics()).not.toContain('result="ok"');
  });
});
