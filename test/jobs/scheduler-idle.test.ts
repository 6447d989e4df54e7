// Scheduler.idle(): what tests wait on instead of sleeping to show that something did not happen.
// It must wait for a tick that is slow, for the tick a kick during a tick asks for, and for the
// settle of an exit with the tick that follows it; and it must not wait when nothing is going on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Store } from '../../src/store/store.ts';
import { rig } from '../helpers/scheduler-rig.ts';

/** Holds every claimNext of `store` until `release()`: a tick that takes as long as the test says. */
function holdClaims(store: Store): { release: () => void; arrived: Promise<void> } {
  const claimNext = store.claimNext.bind(store);
  let release!: () => void;
  let arrived!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  const arrivedPromise = new Promise<void>((resolve) => { arrived = resolve; });
  store.claimNext = async (options) => {
    arrived();
    await released;
    return claimNext(options);
  };
  return { release, arrived: arrivedPromise };
}

/** Whether `promise` has settled by the next turn of the event loop. */
async function settledSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.finally(() => { settled = true; });
  await nextTurn();
  return settled;
}

describe('Scheduler.idle()', () => {
  it('resolves at once when nothing runs', async (t) => {
    const r = await rig(t);
    assert.equal(await settledSoon(r.scheduler.idle()), true);
  });

  it('waits for a tick in progress, and for the tick a kick during it asked for', async (t) => {
    const r = await rig(t, { capacity: 2 });
    const first = await r.add('normal');
    const held = holdClaims(r.store);
    r.scheduler.kick();
    await held.arrived;
    const second = await r.add('normal');
    r.scheduler.kick(); // Coalesced: runs once the held tick is over.
    const idle = r.scheduler.idle();
    assert.equal(await settledSoon(idle), false, 'a tick is held in claimNext');
    held.release();
    await idle;
    assert.deepEqual(r.executor.launches.map((task) => task.jobId).sort(), [first.id, second.id].sort(), 'both ticks ran before idle() resolved');
  });

  it('waits for the settle of an exit and for the tick it starts', async (t) => {
    const r = await rig(t);
    const a = await r.add('normal');
    const b = await r.add('normal');
    r.scheduler.kick();
    await r.scheduler.idle();
    assert.deepEqual(r.executor.launches.map((task) => task.jobId), [a.id]);
    r.executor.exit(a.id, 0);
    await r.scheduler.idle();
    assert.equal((await r.store.getJob(a.id))?.state, 'succeeded', 'settled');
    assert.deepEqual(r.executor.launches.map((task) => task.jobId), [a.id, b.id], 'the freed slot was filled');
  });
});
