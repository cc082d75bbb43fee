import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createErrorReporter, installErrorReporter, reportError } from './errorReporter.js';

/** A stand-in error-tracking endpoint on loopback: records what arrives, answers after `delayMs`. */
interface Received {
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
  readonly text: string;
}
const received: Received[] = [];
let delayMs = 0;
let status = 202;
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({
        url: req.url ?? '',
        headers: req.headers,
        text,
        body: JSON.parse(text) as Record<string, unknown>,
      });
      setTimeout(() => res.writeHead(status).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  received.length = 0;
  delayMs = 0;
  status = 202;
});

describe('Error reporting hook', () => {
  it('posts the error as JSON with secrets and personal data redacted', async () => {
    const reporter = createErrorReporter({
      dsn: `${base}/api/42/store`,
      service: 'primetrade-test',
      environment: 'test',
    });
    const error = Object.assign(new Error('connect to postgres://app:s3cret@db:5432/pt failed for bob@example.test'), {
      code: 'ECONNREFUSED',
    });
    reporter.report(error, {
      requestId: 'req-1',
      password: 'hunter2',
      user: { email: 'alice@example.test', name: 'Alice Liddell', id: 'u-1' },
      headers: { authorization: 'Bearer abc.def', cookie: 'sid=1' },
      note: 'retry with Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-123456 later',
    });
    await reporter.flush();
    expect(received).toHaveLength(1);
    const [report] = received;
    expect(report?.url).toBe('/api/42/store');
    expect(report?.headers['content-type']).toBe('application/json');
    expect(report?.body).toMatchObject({
      level: 'error',
      service: 'primetrade-test',
      environment: 'test',
      exception: { type: 'Error', code: 'ECONNREFUSED' },
      context: {
        requestId: 'req-1',
        password: '[redacted]',
        user: { email: '[redacted]', name: '[redacted]', id: 'u-1' },
        headers: { authorization: '[redacted]', cookie: '[redacted]' },
      },
    });
    for (const secret of [
      's3cret',
      'bob@example.test',
      'alice@example.test',
      'Alice Liddell',
      'hunter2',
      'abc.def',
      'eyJhbGciOiJIUzI1NiJ9',
      'sid=1',
    ]) {
      expect(report?.text, secret).not.toContain(secret);
    }
    expect(String((report?.body.exception as { message: string }).message)).toContain(
      'postgres://[redacted]@db:5432/pt',
    );
  });

  it('returns at once while the endpoint is slow, and flush waits for the delivery', async () => {
    delayMs = 400;
    const reporter = createErrorReporter({ dsn: `${base}/slow`, service: 'test' });
    const started = performance.now();
    reporter.report(new Error('slow endpoint'));
    expect(performance.now() - started).toBeLessThan(50);
    expect(received).toHaveLength(0);
    await reporter.flush();
    expect(received).toHaveLength(1);
  });

  it('never throws when the endpoint is down or refuses, and says so once per streak', async () => {
    const failures: unknown[] = [];
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = createErrorReporter({
      dsn: `http://127.0.0.1:${deadPort}/x`,
      service: 'test',
      onDeliveryError: (error) => failures.push(error),
    });
    expect(() => {
      down.report(new Error('one'));
      down.report('a string thrown');
      down.report(undefined);
    }).not.toThrow();
    await down.flush();
    status = 500;
    const refusing = createErrorReporter({
      dsn: `${base}/refuses`,
      service: 'test',
      onDeliveryError: (error) => failures.push(error),
    });
    refusing.report(new Error('two'));
    await refusing.flush();
    expect(failures.length).toBe(2);
    expect(String(failures[1])).toMatch(/500/);
  });

  it('sends a DSN’s user info as Basic authorization, never in the URL', async () => {
    const reporter = createErrorReporter({
      dsn: `${base.replace('//', '//public-key:private@')}/dsn`,
      service: 'test',
    });
    reporter.report(new Error('authorized'));
    await reporter.flush();
    expect(received[0]?.headers.authorization).toBe(`Basic ${Buffer.from('public-key:private').toString('base64')}`);
    expect(received[0]?.url).toBe('/dsn');
  });

  it('drops reports beyond the in-flight bound instead of piling up', async () => {
    delayMs = 200;
    const reporter = createErrorReporter({ dsn: `${base}/storm`, service: 'test', maxInFlight: 3 });
    for (let n = 0; n < 10; n++) reporter.report(new Error(`storm ${n}`));
    await reporter.flush();
    expect(received).toHaveLength(3);
  });

  it('reaches the installed hook through reportError, and nothing when none is installed', async () => {
    reportError(new Error('nobody listens'));
    const reporter = createErrorReporter({ dsn: `${base}/installed`, service: 'test' });
    installErrorReporter(reporter);
    try {
      reportError(new Error('heard'), { component: 'projector' });
      await reporter.flush();
    } finally {
      installErrorReporter(null);
    }
    expect(received.map((report) => report.url)).toEqual(['/installed']);
    expect(received[0]?.body.context).toEqual({ component: 'projector' });
  });
});
