import { randomUUID } from 'node:crypto';
import { createMetrics } from '@primetrade/platform';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectWith, envelope, join, newUser, record, startRealtime, type Harness } from './realtime.testkit.js';

const gaugeValue = async (metrics: ReturnType<typeof createMetrics>): Promise<number | undefined> =>
  (await metrics.socketsConnected.get()).values[0]?.value;

describe('Realtime server', () => {
  let harness: Harness;
  let metrics: ReturnType<typeof createMetrics>;
  let closed = false;

  beforeEach(async () => {
    metrics = createMetrics();
    harness = await startRealtime({ metrics });
    closed = false;
  });
  afterEach(async () => {
    if (!closed) await harness.close();
  });

  describe('when the client can only long-poll', () => {
    it('connects over polling and receives board events', async () => {
      const ada = newUser('ada');
      const boardId = randomUUID();
      harness.membership.grant(boardId, ada.id);
      const { token } = await harness.tokens.signAccess({ id: ada.id, name: ada.name, role: 'user' });
      const client = await connectWith(harness.open({ token }, ['polling']));
      const seen = record(client);
      expect(await join(client, { boardId })).toMatchObject({ ok: true });
      await harness.server.publish([envelope(boardId, 0)]);
      await vi.waitFor(() => expect(seen.batches).toEqual([{ boardId, revisions: [0] }]));
    });
  });

  describe('when sockets connect and disconnect', () => {
    it('counts them in the sockets_connected gauge', async () => {
      const first = await harness.connect(newUser('a'));
      await harness.connect(newUser('b'));
      await vi.waitFor(async () => expect(await gaugeValue(metrics)).toBe(2));
      first.disconnect();
      await vi.waitFor(async () => expect(await gaugeValue(metrics)).toBe(1));
    });
  });

  describe('when it closes', () => {
    it('drops every socket, resets the gauge and stops listening', async () => {
      const client = await harness.connect(newUser('a'));
      const dropped = new Promise<string>((resolve) => client.once('disconnect', resolve));
      await harness.server.close();
      closed = true;
      expect(await dropped).toBe('transport close');
      expect(await gaugeValue(metrics)).toBe(0);
      expect(harness.server.io.httpServer.listening).toBe(false);
    });
  });
});
