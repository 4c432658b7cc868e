/**
 * Sign-in throttling: failed attempts are counted per key (the user, the client address) over a
 * sliding window; a key with `maxFailures` failures in the window is refused until the oldest
 * of them leaves it. The address gets a larger allowance (several users may share one NAT).
 * In memory, bounded: the least recently failed keys are forgotten first.
 */
export interface ThrottleOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly now?: () => number;
  /** Most keys remembered; default 10000. */
  readonly maxKeys?: number;
}

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
      const max = limits[key] ?? this.opts.maxFailures;
      if (list.length >= max) wait = Math.max(wait, list[list.length - max]! + this.opts.windowMs - now);
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
