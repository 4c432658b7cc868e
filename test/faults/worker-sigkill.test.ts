/**
 * Issue 8, fault 1: 10,000 invocations of clearing_ping while the `soar-clearing run` process is
 * SIGKILLed and restarted at random, 20+ times. Every invocation must get a final reply (no
 * loss). The worker confirms the final reply with a broker receipt BEFORE it ACKs, and its
 * redelivery dedupe lives in memory only, so a kill that lands after the receipt and before the
 * broker processed the ACK makes the next process run the (redelivered) invocation again: a
 * duplicate final reply. This test measures that instead of hiding it: it asserts zero losses,
 * and that every duplicate is explained by a kill that came after the first final reply
 * (the reply->ACK window), and prints the count and the window widths.
 *
 * Seed: SC_FAULTS_SEED (printed), kills: SC_FAULTS_KILLS (default 22), invocations:
 * SC_FAULTS_INVOCATIONS (default 10000).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SoarInvoker } from '../../sim/emulator/invoker.js';
import { figures, prng, sleep } from '../support/faults.js';
import { uniqueDestination, WorkerProcess, World } from '../support/world.js';

const TOTAL = Number(process.env.SC_FAULTS_INVOCATIONS ?? 10_000);
const KILLS = Number(process.env.SC_FAULTS_KILLS ?? 22);
const SEED = Number(process.env.SC_FAULTS_SEED ?? Date.now() % 1_000_000);

describe('fault: worker SIGKILLed at random under load', () => {
  let world: World;
  before(async () => {
    world = await World.start();
  });
  after(async () => {
    await world?.stop();
  });

  test(`${TOTAL} pings, ${KILLS} SIGKILLs: every invocation answered, duplicates only inside the reply->ACK window`, { timeout: 240_000 }, async (t) => {
    const rnd = prng(SEED);
    const destination = uniqueDestination('fn_faults_kill');
    const configPath = world.configFile({ destination, concurrency: 20 });
    const invoker: SoarInvoker = await world.invoker(destination);
    const ids: string[] = [];
    const kills: number[] = [];
    const restartsMs: number[] = [];
    const t0 = Date.now();
    let proc: WorkerProcess | null = null;

    // Publishing runs beside the kill loop, in batches, so every kill lands while work is queued.
    const batch = Math.ceil(TOTAL / (KILLS + 2));
    let published = 0;
    const publish = async (n: number): Promise<void> => {
      const lanes = 25;
      const end = Math.min(TOTAL, published + n);
      await Promise.all(Array.from({ length: lanes }, async () => {
        while (published < end) {
          published += 1;
          // A tenth run a little longer, to widen the in-flight window the kills hit.
          const inputs = rnd() < 0.1 ? { clearing_ping_message: 'slow', clearing_ping_delay_ms: Math.floor(rnd() * 80) } : { clearing_ping_message: 'fast' };
          ids.push(await invoker.invoke('clearing_ping', inputs));
        }
      }));
    };
    const finalsCount = (): number => ids.reduce((n, id) => n + (invoker.finalsFor(id).length > 0 ? 1 : 0), 0);

    try {
      for (let k = 0; k < KILLS; k++) {
        const publishing = publish(batch);
        const startAt = Date.now();
        proc = new WorkerProcess(configPath);
        await proc.ready;
        restartsMs.push(Date.now() - startAt);
        await sleep(150 + Math.floor(rnd() * 700));
        await publishing;
        proc.signal('SIGKILL');
        kills.push(Date.now());
        assert.equal(await proc.exited, null);
        proc = null;
      }
      const killsDoneAt = Date.now();
      const answeredAtLastKill = finalsCount();
      proc = new WorkerProcess(configPath);
      await proc.ready;
      await publish(TOTAL);
      assert.equal(ids.length, TOTAL);
      await invoker.waitUntil(() => ids.every((id) => invoker.finalsFor(id).length > 0), 120_000, 'every final reply').catch(() => undefined);
      await sleep(2000); // time for late duplicates to show up
      const lost = ids.filter((id) => invoker.finalsFor(id).length === 0);
      const duplicated = ids.filter((id) => invoker.finalsFor(id).length > 1);
      const extra = duplicated.reduce((n, id) => n + invoker.finalsFor(id).length - 1, 0);
      // Each duplicate must straddle a kill: the first final reached SOAR around a kill (before
      // it, or just after it when the broker already held the reply), the second after it.
      // window = kill time - arrival of the first final (negative: it arrived after the kill).
      const windows: number[] = [];
      const unexplained: string[] = [];
      const perKill = new Map<number, number>();
      for (const id of duplicated) {
        const [first, second] = invoker.finalsFor(id);
        const kill = kills.filter((k) => k > first!.at - 3000 && k < second!.at).at(-1);
        if (kill === undefined) {
          unexplained.push(`${id}: finals at +${first!.at - t0} and +${second!.at - t0} ms, kills at ${kills.map((k) => k - t0).join(',')}`);
        } else {
          windows.push(kill - first!.at);
          perKill.set(kill, (perKill.get(kill) ?? 0) + 1);
        }
      }
      const failedReplies = ids.filter((id) => invoker.finalsFor(id).some((r) => r.json?.message !== 'Completed'));
      t.diagnostic(figures('sigkill', {
        seed: SEED, invocations: TOTAL, kills: kills.length, lost: lost.length, duplicated_ids: duplicated.length, extra_finals: extra,
        dup_window_ms_min: windows.length ? Math.min(...windows) : 0, dup_window_ms_max: windows.length ? Math.max(...windows) : 0,
        kills_with_duplicates: perKill.size, duplicates_per_kill_max: Math.max(0, ...perKill.values()),
        unexplained: unexplained.length, unexplained_first: unexplained.slice(0, 3), non_completed: failedReplies.length,
        answered_at_last_kill: answeredAtLastKill, kill_phase_s: ((killsDoneAt - t0) / 1000).toFixed(1),
        restart_to_subscribed_ms_max: Math.max(...restartsMs), total_s: ((Date.now() - t0) / 1000).toFixed(1),
      }));
      assert.ok(kills.length >= 20);
      assert.ok(answeredAtLastKill < TOTAL, 'the kills happened while work was outstanding');
      assert.deepEqual(lost, [], `${lost.length} invocations without a final reply`);
      assert.deepEqual(failedReplies, [], 'every final reply is a success');
      // Reply and ACK commit in one broker transaction: exactly one final reply per invocation.
      assert.deepEqual(duplicated, [], `${duplicated.length} invocations answered twice`);
    } finally {
      if (proc) {
        proc.signal('SIGTERM');
        await proc.exited;
      }
      await invoker.close();
    }
  });
});
