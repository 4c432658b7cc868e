/**
 * Exponential backoff with "equal jitter", shared by the REST retries and the STOMP reconnect
 * loop: half the delay is fixed, half random, so a fleet of workers reconnecting after a broker
 * restart spreads out instead of stampeding.
 */

/** Delay before try number `attempt` (0-based): initial * 2^attempt, capped at `maxMs`, jittered. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const n = Math.max(0, Math.floor(attempt));
  // 2^n grows past any sane max quickly; cap the exponent to stay finite.
  const ceiling = Math.min(Math.max(0, maxMs), Math.max(0, initialMs) * 2 ** Math.min(n, 30));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
