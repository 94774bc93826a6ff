// An exchange whose code arrives later: the normalized cache (graphcache, its schema, pagination and
// updaters, the IndexedDB copy) is a chunk of its own, fetched while the first view's chunk is, so
// that the entry the browser runs before the first paint stays small (scripts/client-budget.ts).
// Operations sent before it is loaded wait, in order, and go through it once it is.
import type { Exchange, ExchangeIO, Operation } from '@urql/core';

type OperationSource = Parameters<ExchangeIO>[0];
type OperationSink = Parameters<OperationSource>[0];
type ResultSource = ReturnType<ExchangeIO>;

// wonka's protocol, which urql's streams follow (its package is not ours to import): a source calls
// its sink with Start ({ tag: 0, 0: talkback }), Push ({ tag: 1, 0: value }) or End (0); a sink calls
// the talkback with Pull (0) or Close (1).
const START = 0;
const PUSH = 1;
const END = 0;
const PULL = 0;
const CLOSE = 1;

/**
 * The exchange `load` resolves to, built once it has, with the same input; the operations sent
 * meanwhile go to it first. A failed load is reported, and operations wait (a reload fetches it again).
 */
export function lazyExchange(load: Promise<Exchange>): Exchange {
  return (input) => (operations$) => {
    // The client's operations are a hot stream: subscribed now, or those sent before the exchange
    // exists would be lost.
    const operations = holdOperations(operations$);
    const results: ResultSource = (sink) => {
      // The sink starts now (urql's client pulls at once, and only once): its pulls wait for the
      // exchange, and its results are the exchange's.
      let talkback: ((signal: number) => void) | null = null;
      let pulled = false;
      let closed = false;
      sink(
        resultSignal((signal: number) => {
          if (signal === CLOSE) {
            closed = true;
            talkback?.(CLOSE);
          } else if (talkback) talkback(PULL);
          else pulled = true;
        }),
      );
      load.then(
        (exchange) => {
          if (closed) return;
          exchange(input)(operations.source)((signal) => {
            if (signal !== END && signal.tag === START) {
              talkback = signal[0];
              if (pulled) talkback(PULL);
            } else sink(signal);
          });
          // The exchange has subscribed (an exchange may do so several times): now what waited.
          operations.release();
        },
        (error: unknown) => console.error('the cache could not be loaded: operations wait for a reload', error),
      );
    };
    return results;
  };
}

/**
 * Subscribes to `source` at once and sends what it pushes to every sink of the returned source, as a
 * hot stream does; but until release(), keeps it, and sends it then, in order.
 */
function holdOperations(source: OperationSource): { source: OperationSource; release(): void } {
  let held: Operation[] | null = [];
  let ended = false;
  let sinks: OperationSink[] = [];
  let talkback: (signal: number) => void = () => {};
  const send = (signal: OperationSignal) => sinks.slice().forEach((sink) => sink(signal));
  source((signal) => {
    if (signal === END) {
      ended = true;
      if (!held) send(END);
    } else if (signal.tag === START) {
      talkback = signal[0];
      talkback(PULL);
    } else {
      if (held) held.push(signal[0]);
      else send(signal);
      talkback(PULL);
    }
  });
  return {
    source(sink) {
      sinks.push(sink);
      sink(operationSignal(START, (signal: number) => (signal === CLOSE ? (sinks = sinks.filter((s) => s !== sink)) : undefined)));
    },
    release() {
      const waiting = held ?? [];
      held = null;
      for (const operation of waiting) send(operationSignal(PUSH, operation));
      if (ended) send(END);
    },
  };
}

type OperationSignal = Parameters<OperationSink>[0];
type ResultSignal = Parameters<Parameters<ResultSource>[0]>[0];

function operationSignal(tag: typeof START | typeof PUSH, value: unknown): OperationSignal {
  return { tag, 0: value } as unknown as OperationSignal;
}

function resultSignal(talkback: (signal: number) => void): ResultSignal {
  return { tag: START, 0: talkback } as unknown as ResultSignal;
}
