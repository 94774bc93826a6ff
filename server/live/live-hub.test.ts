// The hub's own promises, with an operation whose results and tags the test decides: many invalidations
// within the window cost one execution per group, a write that lands while a group executes is not
// lost, an outage ('all') wakes everyone, and a group leaves no trace once its subscribers are gone.
import type { ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../platform/logger.ts';
import { LiveHub, type LiveRun } from './live-hub.ts';

const logger = createLogger({ logLevel: 'silent' });
const limits = { maxPerToken: 100, maxPerInstance: 100, coalesceMs: 5 };

/** An operation over a value the test changes: each run reads it, holding the given tags. */
function source(tags: string[]) {
  const state = { value: 0, runs: 0, gate: null as Promise<void> | null };
  const run = async (): Promise<LiveRun> => {
    state.runs += 1;
    const value = state.value; // read before the (optional) gate: a write during the wait is missed by this run
    if (state.gate) await state.gate;
    return { result: { data: { value } }, tags: new Set(tags) };
  };
  return { state, run };
}

async function settled(hub: LiveHub): Promise<void> {
  while (hub.busy) await new Promise((resolve) => setTimeout(resolve, 2));
}

async function take(stream: AsyncIterator<ExecutionResult>): Promise<unknown> {
  return ((await stream.next()).value as ExecutionResult).data?.value;
}

describe('LiveHub', () => {
  it('coalesces: 50 invalidations of a group’s tags within the window cost one execution, shared by its subscribers', async () => {
    const hub = new LiveHub(limits, logger);
    const { state, run } = source(['Ticket:1']);
    const streams = await Promise.all(
      ['a', 'b', 'c'].map(
        (token) =>
          hub.subscribe({ key: 'k', tokenHash: token, tokenExpiresAt: null, run }) as Promise<AsyncIterableIterator<ExecutionResult>>,
      ),
    );
    expect(state.runs).toBe(1);
    for (const stream of streams) expect(await take(stream)).toBe(0);
    state.value = 1;
    for (let i = 0; i < 50; i++) hub.invalidated(['Ticket:1']);
    await settled(hub);
    expect(state.runs).toBe(2);
    for (const stream of streams) expect(await take(stream)).toBe(1);
    expect(hub.counts.deliveries).toBe(6);
    hub.close();
  });

  it('an invalidation that lands while the group executes runs it again: the write is never lost', async () => {
    const hub = new LiveHub(limits, logger);
    const { state, run } = source(['Ticket:1']);
    const stream = (await hub.subscribe({ key: 'k', tokenHash: 't', tokenExpiresAt: null, run })) as AsyncIterableIterator<ExecutionResult>;
    expect(await take(stream)).toBe(0);
    let open!: () => void;
    state.gate = new Promise((resolve) => (open = resolve));
    state.value = 1;
    hub.invalidated(['Ticket:1']);
    while (state.runs < 2) await new Promise((resolve) => setTimeout(resolve, 2));
    // The run has read value 1 and waits; the next write lands now.
    state.value = 2;
    hub.invalidated(['Ticket:1']);
    state.gate = null;
    open();
    await settled(hub);
    expect(state.runs).toBe(3);
    // The stream keeps the newest result only: 2.
    expect(await take(stream)).toBe(2);
    hub.close();
  });

  it("'all' (an outage or a new epoch) wakes every group; other tags wake none", async () => {
    const hub = new LiveHub(limits, logger);
    const one = source(['Ticket:1']);
    const two = source(['tickets@org:2']);
    await hub.subscribe({ key: 'one', tokenHash: 't', tokenExpiresAt: null, run: one.run });
    await hub.subscribe({ key: 'two', tokenHash: 't', tokenExpiresAt: null, run: two.run });
    hub.invalidated(['Ticket:9', 'tickets@org:1']);
    await settled(hub);
    expect([one.state.runs, two.state.runs]).toEqual([1, 1]);
    hub.invalidated('all');
    await settled(hub);
    expect([one.state.runs, two.state.runs]).toEqual([2, 2]);
    hub.close();
  });

  it('forgets a group, its tags and its token once the last subscriber returns', async () => {
    const hub = new LiveHub({ ...limits, maxPerToken: 1 }, logger);
    const { run } = source(['Ticket:1', 'tickets@org:1']);
    const stream = (await hub.subscribe({ key: 'k', tokenHash: 't', tokenExpiresAt: null, run })) as AsyncIterableIterator<ExecutionResult>;
    expect(hub.counts).toMatchObject({ subscribers: 1, groups: 1, tags: 2 });
    const refused = (await hub.subscribe({ key: 'k', tokenHash: 't', tokenExpiresAt: null, run })) as ExecutionResult;
    expect(refused.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    await stream.return!();
    expect(hub.counts).toMatchObject({ subscribers: 0, groups: 0, tags: 0 });
    expect(await hub.subscribe({ key: 'k', tokenHash: 't', tokenExpiresAt: null, run })).toHaveProperty('next');
    hub.close();
  });

  it("ends a stream with UNAUTHENTICATED when its token expires, and forgets it; another token's stream goes on", async () => {
    const hub = new LiveHub(limits, logger);
    const { run } = source(['Ticket:1']);
    const expiring = (await hub.subscribe({
      key: 'k',
      tokenHash: 'a',
      tokenExpiresAt: Date.now() + 60,
      run,
    })) as AsyncIterableIterator<ExecutionResult>;
    const lasting = (await hub.subscribe({
      key: 'k',
      tokenHash: 'b',
      tokenExpiresAt: Date.now() + 60_000,
      run,
    })) as AsyncIterableIterator<ExecutionResult>;
    expect(await take(expiring)).toBe(0);
    const last = (await expiring.next()).value as ExecutionResult;
    expect(last.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await expiring.next()).done).toBe(true);
    expect(hub.counts).toMatchObject({ subscribers: 1, groups: 1 });
    expect(await take(lasting)).toBe(0);
    await lasting.return!();
    expect(hub.counts).toMatchObject({ subscribers: 0, groups: 0 });
    hub.close();
  });
});
