import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { reportError } from './errorReporter.js';
import { createLogger } from './logger.js';
import { startTelemetry } from './telemetry.js';
import { inSpan, tracingEnabled } from './tracing.js';

/** A tiny OTLP/HTTP receiver and error endpoint on loopback: what a process configured from env sends. */
const posts: { path: string; contentType: string; body: string }[] = [];
let receiver: http.Server;
let base: string;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      posts.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('Telemetry from config', () => {
  it('exports spans over OTLP/HTTP to the configured collector and reports errors to the DSN', async () => {
    const config = loadConfig({
      OTEL_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: `${base}/`,
      ERROR_REPORTING_DSN: `${base}/errors`,
    });
    const telemetry = await startTelemetry(config, 'relay', createLogger({ level: 'silent' }));
    expect(tracingEnabled()).toBe(true);
    await inSpan('relay.publish', {}, async () => undefined);
    reportError(new Error('consumer crashed'), { component: 'test' });
    await telemetry.close();
    expect(tracingEnabled()).toBe(false);
    const traces = posts.find((post) => post.path === '/v1/traces');
    expect(traces?.body).toContain('relay.publish');
    expect(traces?.body).toContain('primetrade-relay');
    const errors = posts.find((post) => post.path === '/errors');
    expect(JSON.parse(errors?.body ?? '{}')).toMatchObject({
      service: 'primetrade-relay',
      exception: { message: 'consumer crashed' },
    });
  });

  it('turns nothing on by default', async () => {
    posts.length = 0;
    const telemetry = await startTelemetry(loadConfig({}), 'relay', createLogger({ level: 'silent' }));
    expect(telemetry.tracing.enabled).toBe(false);
    expect(telemetry.errors).toBeNull();
    reportError(new Error('nobody listens'));
    await telemetry.close();
    expect(posts).toEqual([]);
  });
});
