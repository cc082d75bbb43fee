import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scheduleCheckWhilePending, stopIdleRequestQueueTimers } from './kafkaRequestQueue.js';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests: () => void;
  scheduleCheckPendingRequests(): void;
}

const queue = (pending: unknown[], throttledUntil = -1): Queue => {
  const created: Queue = {
    pending,
    throttledUntil,
    throttleCheckTimeoutId: null,
    checkPendingRequests: vi.fn(() => created.scheduleCheckPendingRequests()),
    scheduleCheckPendingRequests: scheduleCheckWhilePending,
  };
  return created;
};

describe("kafkajs's request queue without the idle timer loop (docs/adr/0034)", () => {
  afterEach(() => vi.useRealTimers());

  it('arms no timer while nothing waits, so a check does not schedule the next one', () => {
    vi.useFakeTimers();
    const idle = queue([]);
    idle.scheduleCheckPendingRequests();
    expect(idle.throttleCheckTimeoutId).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('checks again when the client-side throttle ends while requests wait, and stops once they are sent', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const waiting = queue(['request'], 1_000_000 + 250);
    waiting.scheduleCheckPendingRequests();
    waiting.scheduleCheckPendingRequests();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(249);
    expect(waiting.checkPendingRequests).not.toHaveBeenCalled();
    waiting.pending.length = 0;
    vi.advanceTimersByTime(1);
    expect(waiting.checkPendingRequests).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('checks after 10 ms while requests wait only for an in-flight slot', () => {
    vi.useFakeTimers();
    const waiting = queue(['request']);
    waiting.scheduleCheckPendingRequests();
    vi.advanceTimersByTime(9);
    expect(waiting.checkPendingRequests).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(waiting.checkPendingRequests).toHaveBeenCalledTimes(1);
  });

  it("is installed on kafkajs's own RequestQueue", () => {
    stopIdleRequestQueueTimers();
    const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as {
      prototype: Queue;
    };
    const installed: unknown = Reflect.get(RequestQueue.prototype, 'scheduleCheckPendingRequests');
    expect(installed).toBe(scheduleCheckWhilePending);
  });
});
