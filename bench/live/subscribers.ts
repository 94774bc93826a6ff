// The benchmark's SSE subscribers: one node:http request per subscription (the graphql-sse protocol's
// distinct connections), read with as little work as possible on a machine shared with the servers. An
// event is not parsed as JSON: the write stamps ("[lb-<n>]") in its data are all the benchmark needs,
// found with one regular expression, and each stamp a subscriber sees for the first time is a delivery
// whose latency is measured from the moment its write was sent.
import { Agent, request, type ClientRequest } from 'node:http';

const STAMP = /\[lb-(\d+)\]/g;
export const stamp = (n: number) => `[lb-${n}]`;

export interface SubscriberSpec {
  origin: string;
  token: string;
  query: string;
  variables: Record<string, unknown>;
  /** Which writes this subscriber must see, for the missed-delivery count (ticketChanged: its ticket). */
  ticket: string | null;
}

export interface Subscriber {
  spec: SubscriberSpec;
  /** Stamps seen, in order of arrival. */
  seen: Set<number>;
  opened: boolean;
  /** Why it failed to open, or broke before the end. */
  failure: string | null;
  events: number;
  request: ClientRequest;
}

export class SubscriberPool {
  readonly subscribers: Subscriber[] = [];
  /** Every delivery: first sight of a write's stamp by a subscriber (performance.now()), and the write's send time. */
  readonly latencies: { write: number; sent: number; at: number }[] = [];
  private readonly agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  private closing = false;

  /** @param sentAt the send time (performance.now()) of write n, once sent. */
  constructor(private readonly sentAt: Map<number, number>) {}

  /** Opens one subscription; resolves once its first event arrived (or it failed). */
  open(spec: SubscriberSpec): Promise<Subscriber> {
    const url = new URL('/graphql', spec.origin);
    const body = JSON.stringify({ query: spec.query, variables: spec.variables });
    return new Promise((resolve) => {
      const subscriber: Subscriber = { spec, seen: new Set(), opened: false, failure: null, events: 0, request: null! };
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        resolve(subscriber);
      };
      const fail = (why: string) => {
        if (!this.closing && !subscriber.failure) subscriber.failure = why;
        settle();
      };
      subscriber.request = request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            authorization: `Bearer ${spec.token}`,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          if (res.statusCode !== 200) {
            fail(`HTTP ${res.statusCode}`);
            res.resume();
            return;
          }
          res.setEncoding('utf8');
          let buffer = '';
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              if (!block.startsWith('event: next')) {
                if (block.startsWith('event: complete')) fail('completed by the server');
                continue;
              }
              this.event(subscriber, block);
              if (!subscriber.opened) {
                if (block.includes('"errors"')) fail(`refused: ${block.slice(0, 300)}`);
                else subscriber.opened = true;
                settle();
              }
            }
          });
          res.on('close', () => fail('stream closed'));
        },
      );
      subscriber.request.on('error', (error) => fail(error.message));
      subscriber.request.end(body);
      this.subscribers.push(subscriber);
    });
  }

  private event(subscriber: Subscriber, block: string): void {
    subscriber.events += 1;
    const now = performance.now();
    for (const match of block.matchAll(STAMP)) {
      const n = Number(match[1]);
      if (subscriber.seen.has(n)) continue;
      subscriber.seen.add(n);
      const sent = this.sentAt.get(n);
      // The first event is the state before any write was timed: stamps of a warm-up are not deliveries.
      if (sent !== undefined && subscriber.opened) this.latencies.push({ write: n, sent, at: now });
    }
  }

  close(): void {
    this.closing = true;
    for (const subscriber of this.subscribers) subscriber.request.destroy();
    this.agent.destroy();
  }
}
