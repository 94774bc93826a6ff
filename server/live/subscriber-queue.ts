// One subscriber's stream of results, as the async iterator yoga's SSE writer pulls from. Every event
// is a whole result (the current state, not a delta), so a subscriber that reads slower than results
// come keeps only the newest one: memory per subscriber stays one result, whatever the write rate.
import type { ExecutionResult } from 'graphql';

export class SubscriberQueue implements AsyncIterableIterator<ExecutionResult> {
  private pending: ExecutionResult | null = null;
  /** Sent after the pending result, then the stream ends (a revoked token's error). */
  private last: ExecutionResult | null = null;
  private ending = false;
  private finished = false;
  private waiter: ((step: IteratorResult<ExecutionResult>) => void) | null = null;

  /** @param onFinish called once, when the stream ends for any reason (client gone, end(), return()). */
  constructor(
    first: ExecutionResult,
    private readonly onFinish: () => void,
  ) {
    this.pending = first;
  }

  /** Queues a result, replacing one the client has not read yet. */
  push(result: ExecutionResult): void {
    if (this.ending || this.finished) return;
    if (this.waiter) this.deliver({ value: result, done: false });
    else this.pending = result;
  }

  /** Ends the stream after what is queued, optionally with one final result. */
  end(final?: ExecutionResult): void {
    if (this.ending || this.finished) return;
    this.ending = true;
    this.last = final ?? null;
    if (this.waiter) this.deliver(this.take());
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.pending || this.last || this.ending || this.finished) return Promise.resolve(this.take());
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** The client went away (yoga cancels the response stream): stop at once. */
  return(): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    if (this.waiter) this.deliver({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  /** As return(): graphql-sse ends a stream's operations only when they look like async generators (next, return, throw). */
  throw(): Promise<IteratorResult<ExecutionResult>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private take(): IteratorResult<ExecutionResult> {
    if (this.finished) return { value: undefined, done: true };
    const value = this.pending ?? this.last;
    if (value) {
      if (this.pending) this.pending = null;
      else this.last = null;
      return { value, done: false };
    }
    this.finish();
    return { value: undefined, done: true };
  }

  private deliver(step: IteratorResult<ExecutionResult>): void {
    const waiter = this.waiter!;
    this.waiter = null;
    waiter(step);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.pending = null;
    this.last = null;
    this.onFinish();
  }
}
