import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './app.testkit.js';

/** Sends raw bytes and reads the whole answer (the server closes the connection after a client error). */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

const problemOf = (answer: string): Record<string, unknown> =>
  JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

describe('HTTP server: requests Node refuses before the app sees them', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  // Found by the OpenAPI fuzz: Node's own answers to these had no body at all.
  it('answers malformed HTTP with a 400 problem+json', async () => {
    const answer = await rawExchange(t.url, 'GET /api/v1/me HTTP/1.1\r\nHost: x\r\nNot a header line\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(problemOf(answer)).toMatchObject({
      status: 400,
      code: 'VALIDATION.FAILED',
      type: 'urn:primetrade:problem:VALIDATION.FAILED',
    });
  });

  it('answers headers beyond the limit with a 431 problem+json', async () => {
    const answer = await rawExchange(
      t.url,
      `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(40_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(problemOf(answer)).toMatchObject({ status: 431, code: 'REQUEST.HEADERS_TOO_LARGE' });
  });
});
