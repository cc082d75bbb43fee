import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 re-arms a timer in every connection's request queue each time the queue is checked,
 * whether or not a request waits: with nothing pending the delay is negative, so the check runs again
 * after ~1 ms, forever, from the first request on. Every Kafka connection of every service (relay,
 * projector, search, realtime) thus runs a 1 ms timer loop: CPU at rest, and timer callbacks between
 * the push path's own work (docs/adr/0034 measured it). This puts back what the loop was meant to do:
 * a timer only while requests wait, due when the client-side throttle ends (or after 10 ms while the
 * queue waits for an in-flight slot: an answer frees the slot and checks the queue by itself as well).
 */
interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's own wait between checks while requests wait for an in-flight slot. */
const inFlightCheckMs = 10;

/** The replacement for `RequestQueue.prototype.scheduleCheckPendingRequests` (exported for its test). */
export function scheduleCheckWhilePending(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId !== null || this.pending.length === 0) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : inFlightCheckMs,
  );
}

let installed = false;

/** Installs the fix into kafkajs's request queue (once per process; idempotent). */
export function stopIdleRequestQueueTimers(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: RequestQueueInternals;
  };
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckWhilePending;
}
