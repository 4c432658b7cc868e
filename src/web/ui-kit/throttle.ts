/**
 * Sign-in throttling: failed attempts are counted per key (the user, the client address) over a
 * sliding window. A key's first `maxFailures` failures in the window cost nothing; from then on
 * each failure makes the next try wait, and the wait doubles with every further failure
 * (FIRST_DELAY_MS, twice that, ... at most the window). A stranger who knows a user's email can
 * therefore delay that user's sign-in but not lock it: after the allowance the first wait is a
 * few seconds, and keeping the user out for long takes a steady stream of failures that the
 * doubling slows to a handful per window (the README states this trade-off). The address gets
 * a larger allowance (several users may share one NAT). A success clears the user's count.
 * In memory, bounded: the least recently failed keys are forgotten first.
 */
export interface ThrottleOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly now?: () => number;
  /** Most keys remembered; default 10000. */
  readonly maxKeys?: number;
}

/** The wait after the first failure beyond the allowance; each further failure doubles it. */
export const FIRST_DELAY_MS = 5_000;

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly opts: ThrottleOptions) {
    this.now = opts.now ?? Date.now;
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.opts.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** 0 when every key may try now, else the ms to wait. `limits` gives a key's own allowance. */
  retryAfterMs(keys: readonly string[], limits: Readonly<Record<string, number>> = {}): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const list = this.recent(key, now);
      const excess = list.length - (limits[key] ?? this.opts.maxFailures);
      if (excess < 0) continue;
      const delay = Math.min(this.opts.windowMs, FIRST_DELAY_MS * 2 ** Math.min(excess, 30));
      wait = Math.max(wait, list[list.length - 1]! + delay - now);
    }
    return wait;
  }

  fail(keys: readonly string[]): void {
    const now = this.now();
    for (const key of keys) {
      const list = this.recent(key, now);
      list.push(now);
      this.failures.delete(key);
      this.failures.set(key, list);
    }
    const max = this.opts.maxKeys ?? 10_000;
    while (this.failures.size > max) this.failures.delete(this.failures.keys().next().value!);
  }

  /** A successful sign-in clears the user's count (not the address's). */
  succeed(key: string): void {
    this.failures.delete(key);
  }
}

/** The throttle keys of one attempt. */
export function throttleKeys(brand: string, email: string, address: string): { user: string; address: string } {
  return { user: `user:${brand}:${email.trim().toLowerCase()}`, address: `addr:${address}` };
}
