/**
 * Remembers recent invocations by the broker's message-id, so a redelivery (same message-id,
 * new ack id: after a reconnect, or a lost ACK) never runs a handler twice in this process.
 * Bounded: the oldest finished entries are forgotten first (Map keeps insertion order).
 */
import type { Delivery } from './message.js';

export type DedupeEntry =
  /** Handler still running; `delivery` is the latest one to ACK when it finishes. */
  | { state: 'running'; delivery: Delivery }
  /**
   * Answered. `reply` is the final reply until it was committed with the ACK; then null (a
   * redelivery after that means the commit never reached the broker: run it again).
   */
  | { state: 'done'; delivery: Delivery; replyTo: string; correlationId: string; reply: string | null };

export class DedupeCache {
  private readonly entries = new Map<string, DedupeEntry>();

  constructor(private readonly capacity: number) {}

  get(messageId: string): DedupeEntry | undefined {
    return this.entries.get(messageId);
  }

  set(messageId: string, entry: DedupeEntry): void {
    this.entries.delete(messageId);
    this.entries.set(messageId, entry);
    if (this.entries.size > this.capacity) this.evict();
  }

  delete(messageId: string): void {
    this.entries.delete(messageId);
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.capacity) return;
      // A running entry is never dropped: its ACK target must survive.
      if (entry.state === 'done') this.entries.delete(id);
    }
  }
}
