/**
 * A real node's lifecycle as its log tells it: one line per transition of the node and of its
 * brand's worker, in order, for a start against the emulator and the shared broker, then a stop.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { functions } from '../../functions/index.js';
import { ClearingNode, NodeState } from '../../src/app/node.js';
import { IllegalStateError } from '../../src/core/errors.js';
import { WorkerState } from '../../src/worker/worker.js';
import { memoryLogger, uniqueDestination, World } from '../support/world.js';

describe('node lifecycle', () => {
  let world: World;
  before(async () => {
    world = await World.start();
  });
  after(async () => {
    await world?.stop();
  });

  test('start and stop log each transition of the node and its worker, in order', async () => {
    const { log, lines } = memoryLogger();
    const node = new ClearingNode(world.config({ destination: uniqueDestination(), nodeId: 'life' }), functions, log);
    try {
      await node.start();
      await Promise.all(node.workers.map((w) => w.start()));
      assert.equal(node.state, NodeState.Running);
      assert.equal(node.workers[0]?.state, WorkerState.Running);
      await assert.rejects(node.start(), IllegalStateError);
    } finally {
      await node.stop('test over');
    }
    assert.equal(node.state, NodeState.Stopped);
    assert.equal(node.workers[0]?.state, WorkerState.Stopped);
    const transitions = lines.map((l) => / INFO  ((?:node|worker) '[^']+' \w+ -> \w+): /.exec(l)?.[1]).filter((t) => t !== undefined);
    const of = (who: string): string[] => transitions.filter((t) => t.startsWith(who));
    assert.deepEqual(of('node'), [
      "node 'life' created -> starting",
      "node 'life' starting -> running",
      "node 'life' running -> stopping",
      "node 'life' stopping -> stopped",
    ], lines.join('\n'));
    assert.deepEqual(of('worker'), [
      "worker 'soar2' created -> connecting",
      "worker 'soar2' connecting -> running",
      "worker 'soar2' running -> draining",
      "worker 'soar2' draining -> stopping",
      "worker 'soar2' stopping -> stopped",
    ], lines.join('\n'));
    // The node stops its worker inside its own stop.
    const at = (t: string): number => transitions.indexOf(t);
    assert.ok(at("node 'life' running -> stopping") < at("worker 'soar2' running -> draining"));
    assert.ok(at("worker 'soar2' stopping -> stopped") < at("node 'life' stopping -> stopped"));
    assert.ok(lines.some((l) => /node 'life' running -> stopping: test over/.test(l)));
  });
});
