/**
 * The soak run shared by `npm run bench -- --only soak` and test/integration/soak.test.ts: one
 * real `soar-clearing run` process on one broker connection answers clearing_ping with a
 * backlog (more invocations outstanding than its prefetch), row after row. After each row the
 * load pauses until every invocation is answered, and the broker's heap is counted: what is
 * left then is what the broker retains for that connection (issue 13: ActiveMQ kept one
 * MessageDispatch and one StompAckEntry per transacted ACK).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SoarInvoker } from '../../sim/emulator/invoker.js';
import { SoarEmulator } from '../../sim/emulator/server.js';
import { Broker, testPki } from './broker.js';
import { rssKb } from './faults.js';
import { uniqueDestination, WorkerProcess, writeConfig } from './world.js';

/** The broker-side objects of a STOMP delivery awaiting (or kept after) its ACK. */
const DISPATCH_CLASS = 'org.apache.activemq.command.MessageDispatch';
const ACK_ENTRY_CLASS = 'org.apache.activemq.transport.stomp.StompAckEntry';

export interface Retained {
  readonly messageDispatch: number;
  readonly stompAckEntry: number;
}

/** jcmd comes with a JDK, not with the JRE ActiveMQ needs; null when it is missing. */
export function jcmdMissing(): string | null {
  const r = spawnSync('jcmd', ['-h'], { stdio: 'ignore' });
  return r.error ? 'jcmd not found (a JDK is needed: bash scripts/activemq.sh install)' : null;
}

/** Live instances of the two classes in a JVM (GC.class_histogram runs a full GC first). */
export function retainedObjects(pid: number): Retained {
  const out = execFileSync('jcmd', [String(pid), 'GC.class_histogram'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const count = (cls: string): number => {
    const m = new RegExp(`^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+${cls.replace(/\./g, '\\.')}\\s*$`, 'm').exec(out);
    return m ? Number(m[1]) : 0;
  };
  return { messageDispatch: count(DISPATCH_CLASS), stompAckEntry: count(ACK_ENTRY_CLASS) };
}

/** CPU seconds (user + system) a process has used so far (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

export interface SoakRow {
  /** Invocations answered at the end of this row (cumulative). */
  readonly done: number;
  readonly perSecond: number;
  readonly brokerCpuS: number;
  readonly workerCpuS: number;
  readonly retained: Retained;
  readonly workerRssKiB: number;
}

export interface SoakOptions {
  readonly total: number;
  readonly rowSize: number;
  /** Invocations kept outstanding by "SOAR". */
  readonly window: number;
  /** The worker's concurrency (= its prefetch). */
  readonly concurrency: number;
  readonly onRow?: (row: SoakRow) => void;
}

export interface SoakResult {
  readonly rows: readonly SoakRow[];
  /** Retained objects right after the worker subscribed, before any invocation. */
  readonly baseline: Retained;
  readonly workerIdleRssKiB: number;
}

/** Closed loop: `window` lanes each invoking and awaiting the final reply until `count` are answered. */
async function drive(invoker: SoarInvoker, window: number, count: number): Promise<void> {
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < count) {
      started += 1;
      const id = await invoker.invoke('clearing_ping', { clearing_ping_message: 'soak' });
      await invoker.final(id, 120_000);
      invoker.forget(id);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
}

/** A private broker (its pid is needed), an emulated SOAR and one worker process. */
export async function soak(o: SoakOptions): Promise<SoakResult> {
  const pki = testPki();
  const broker = await Broker.start({ name: `soak-${process.pid}`, quickJit: false });
  const emulator = await SoarEmulator.start({ pki });
  const destination = uniqueDestination('fn_soak');
  const path = writeConfig(pki.caCert, { soarPort: emulator.port, stompPort: broker.stompPort, destination, concurrency: o.concurrency });
  // What an admin runs: log level info (the test helper writes debug).
  writeFileSync(path, readFileSync(path, 'utf8').replace('level: debug', 'level: info'));
  let worker: WorkerProcess | null = null;
  let invoker: SoarInvoker | null = null;
  try {
    worker = new WorkerProcess(path, { keepOutput: false });
    await worker.ready;
    invoker = await SoarInvoker.connect({ port: broker.stompPort, orgId: emulator.orgId, destination });
    const baseline = retainedObjects(broker.pid);
    const workerIdleRssKiB = rssKb(worker.pid);
    const rows: SoakRow[] = [];
    for (let done = 0; done < o.total;) {
      const n = Math.min(o.rowSize, o.total - done);
      const cpu0 = [cpuSeconds(broker.pid), cpuSeconds(worker.pid)] as const;
      const t0 = performance.now();
      await drive(invoker, o.window, n);
      const seconds = (performance.now() - t0) / 1000;
      done += n;
      const row: SoakRow = {
        done,
        perSecond: n / seconds,
        brokerCpuS: cpuSeconds(broker.pid) - cpu0[0],
        workerCpuS: cpuSeconds(worker.pid) - cpu0[1],
        retained: retainedObjects(broker.pid),
        workerRssKiB: rssKb(worker.pid),
      };
      rows.push(row);
      o.onRow?.(row);
    }
    return { rows, baseline, workerIdleRssKiB };
  } finally {
    await invoker?.close().catch(() => undefined);
    if (worker) {
      worker.signal('SIGTERM');
      await worker.exited;
    }
    await emulator.stop();
    await broker.stop();
  }
}
