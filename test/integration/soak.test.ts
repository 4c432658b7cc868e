/**
 * Issue 13, short soak: a real `soar-clearing run` process answers 20,000 invocations with a
 * backlog on one broker connection, and the broker must not keep anything per invocation
 * answered. ActiveMQ 5.x keeps one MessageDispatch and one StompAckEntry per message ACKed in a
 * STOMP transaction on a client-individual subscription until the connection closes (Apache
 * ActiveMQ activemq-stomp StompSubscription.onStompCommit); the worker's scheme (README,
 * "Replies, acknowledgements and the broker") must leave the broker holding no more than the
 * deliveries in flight. The long version: npm run bench -- --only soak.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jcmdMissing, soak } from '../support/soak.js';

const TOTAL = 20_000;
const ROW = 5_000;
const CONCURRENCY = 10;

test(`soak: ${TOTAL} invocations on one connection leave nothing behind in the broker`, { timeout: 600_000, skip: jcmdMissing() ?? false }, async () => {
  const { rows, baseline, workerIdleRssKiB } = await soak({
    total: TOTAL, rowSize: ROW, window: 25, concurrency: CONCURRENCY,
    onRow: (r) => console.log(`[soak] ${r.done} answered: ${r.perSecond.toFixed(0)} inv/s, broker CPU ${r.brokerCpuS.toFixed(1)} s,`
      + ` retained MessageDispatch ${r.retained.messageDispatch} StompAckEntry ${r.retained.stompAckEntry}, worker RSS ${(r.workerRssKiB / 1024).toFixed(1)} MiB`),
  });
  console.log(`[soak] before the first invocation: MessageDispatch ${baseline.messageDispatch}, StompAckEntry ${baseline.stompAckEntry}, worker RSS ${(workerIdleRssKiB / 1024).toFixed(1)} MiB`);
  for (const r of rows) {
    // Everything is answered when the row ends: only what the broker holds for good is left.
    assert.ok(r.retained.messageDispatch < 2 * CONCURRENCY, `${r.done} answered: the broker retains ${r.retained.messageDispatch} MessageDispatch`);
    assert.ok(r.retained.stompAckEntry < 2 * CONCURRENCY, `${r.done} answered: the broker retains ${r.retained.stompAckEntry} StompAckEntry`);
  }
  // The dedupe cache (10,000 ids) is full after the second row; the RSS may not keep climbing after it.
  // A garbage-collected process's RSS swings by tens of MiB between samples (seen: +26 MiB over
  // 10,000 with no trend over 100,000 in the soak benchmark), so only a leak of several KiB per
  // invocation fails here; the benchmark's 100,000 show the trend.
  const [, second, , last] = rows;
  assert.ok(last!.workerRssKiB < second!.workerRssKiB + 48 * 1024, `worker RSS grew from ${second!.workerRssKiB} KiB to ${last!.workerRssKiB} KiB after the dedupe cache filled`);
});
