import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createErrorReporter, installErrorReporter, type ErrorReporter } from '@primetrade/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './app.testkit.js';

/** The error-reporting hook seen from the API: a 500 reaches the endpoint, a 4xx does not. */
const reports: Record<string, unknown>[] = [];
let endpoint: http.Server;
let reporter: ErrorReporter;
let t: TestApp;

beforeAll(async () => {
  endpoint = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      reports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  reporter = createErrorReporter({
    dsn: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/errors`,
    service: 'primetrade-test',
  });
  installErrorReporter(reporter);
  t = await startTestApp({
    deps: {
      routes: [
        (registrar) => {
          registrar.router.get('/explode', () => {
            throw new Error('lost the connection to postgres://app:hunter2@db/pt');
          });
        },
      ],
    },
  });
});

afterAll(async () => {
  installErrorReporter(null);
  await t?.close();
  endpoint?.closeAllConnections();
  await new Promise((resolve) => endpoint?.close(resolve));
});

describe('Error reporting from the API', () => {
  it('reports an unhandled error behind a 500 with its request id, redacted, and answers the client as usual', async () => {
    const response = await t.request<{ code: string; requestId: string }>('GET', '/explode');
    expect(response.status).toBe(500);
    expect(response.body.code).toBe('INTERNAL');
    await reporter.flush();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      service: 'primetrade-test',
      context: { requestId: response.body.requestId, method: 'GET', path: '/api/v1/explode' },
    });
    expect(JSON.stringify(reports[0])).not.toContain('hunter2');
  });

  it('does not report refusals the client caused', async () => {
    reports.length = 0;
    expect((await t.request('GET', '/boards/not-a-uuid')).status).toBeGreaterThanOrEqual(400);
    expect((await t.request('GET', '/no/such/route')).status).toBe(404);
    await reporter.flush();
    expect(reports).toEqual([]);
  });
});
