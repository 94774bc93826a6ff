// The statement tally's AsyncLocalStorage is on only while a tally is open (a request's work may still
// run), so cache hits served meanwhile pay no async hook; work of an open request keeps its tally.
import { describe, expect, it } from 'vitest';
import { currentTally, openTallyCount, withStatementTally, type StatementTally } from './sql-statements.ts';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('statement tally contexts', () => {
  it('stays open until the request and its response are done, then closes', async () => {
    const tally: StatementTally = { count: 0 };
    let respond!: () => void;
    const responseClosed = new Promise<void>((resolve) => (respond = resolve));
    const seen: (StatementTally | undefined)[] = [];
    let laterWork!: Promise<void>;
    const handled = withStatementTally(
      tally,
      async () => {
        seen.push(currentTally());
        // Work the request started that runs after its handler returned (a streamed response).
        laterWork = tick().then(async () => {
          await tick();
          seen.push(currentTally());
        });
      },
      responseClosed,
    );
    expect(openTallyCount()).toBe(1);
    await handled;
    await laterWork;
    expect(seen).toEqual([tally, tally]);
    expect(openTallyCount()).toBe(1); // the response is not closed yet
    respond();
    await tick();
    expect(openTallyCount()).toBe(0);
    // Off: nothing outside a request has a tally, and a new request opens it again.
    expect(currentTally()).toBeUndefined();
    const next: StatementTally = { count: 0 };
    expect(await withStatementTally(next, async () => (await tick(), currentTally()))).toBe(next);
    await tick();
    expect(openTallyCount()).toBe(0);
  });

  it('closes a context whose function throws, and counts nested ones', async () => {
    expect(() =>
      withStatementTally({ count: 0 }, () => {
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(openTallyCount()).toBe(0);
    const outer: StatementTally = { count: 0 };
    const inner: StatementTally = { count: 0, primary: true };
    const seen = await withStatementTally(outer, async () => {
      const nested = await withStatementTally(inner, async () => (await tick(), currentTally()));
      expect(openTallyCount()).toBeGreaterThanOrEqual(1);
      return [nested, currentTally()];
    });
    expect(seen).toEqual([inner, outer]);
    await expect(withStatementTally({ count: 0 }, () => Promise.reject(new Error('failed')))).rejects.toThrow('failed');
    await tick();
    expect(openTallyCount()).toBe(0);
  });
});
