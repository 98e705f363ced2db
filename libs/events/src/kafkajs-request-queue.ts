// kafkajs 2.2.4's request queue (one per broker connection) re-arms a timer every millisecond
// while it has nothing to send: scheduleCheckPendingRequests sets a timeout of
// `throttledUntil - now` — negative, so 1 ms, when nothing throttles — even with no pending
// request, and that timeout's check schedules the next (kafkajs issues #1556 and #1704, fix
// proposed in pull request #1667, not released). Every connection of every service spun that
// loop: measured, it was most of an idle platform's CPU (bench/README.md).
//
// The fix keeps kafkajs's rules and drops only the empty case: a check is scheduled when a
// request waits — when its throttle ends, or after the queue's usual 10 ms — and not otherwise.
// A request pushed later schedules its own check (RequestQueue.push), and a finished in-flight
// request checks the queue (fulfillRequest), so nothing waits on the dropped timer.

/** The members of kafkajs's RequestQueue the fix reads and writes. */
interface RequestQueueState {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
}

/** kafkajs's RequestQueue's interval for re-checking a queue that waits on in-flight requests. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

function scheduleCheckPendingRequests(this: RequestQueueState): void {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  const untilUnthrottled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS,
  );
}

let installed = false;

/**
 * Installs the fix on kafkajs's RequestQueue (once per process; every client of the process
 * shares the class). Called wherever libs/events configures a kafkajs client.
 */
export function fixKafkajsIdleLoop(): void {
  if (installed) return;
  installed = true;
  // An internal module of kafkajs: no types, and not part of its public API.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RequestQueue = require('kafkajs/src/network/requestQueue') as {
    prototype: { scheduleCheckPendingRequests: () => void };
  };
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
}
