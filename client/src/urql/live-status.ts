// The state of the live updates, for the header's indicator (ui/live-indicator.tsx): each open
// subscription reports its stream's state here (live-transport.ts), and the indicator shows the worst.
// Part of the entry, so it holds no more than a map and its listeners.

/** One stream: `connecting` (first attempt or after a drop), `live` (its first result arrived), `waiting` (backing off), `stopped` (will not come back). */
export type StreamState = 'connecting' | 'live' | 'waiting' | 'stopped';
/** What the indicator shows; `idle` when no view is subscribed (nothing shown). */
export type LiveState = 'idle' | 'live' | 'reconnecting' | 'offline';

const streams = new Map<number, StreamState>();
const listeners = new Set<() => void>();
let current: LiveState = 'idle';
let nextId = 1;

function compute(): LiveState {
  if (streams.size === 0) return 'idle';
  const states = [...streams.values()];
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return 'offline';
  if (states.includes('waiting') || states.includes('connecting')) return 'reconnecting';
  if (states.includes('stopped')) return 'offline';
  return 'live';
}

function changed(): void {
  const next = compute();
  if (next === current) return;
  current = next;
  listeners.forEach((listener) => listener());
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', changed);
  window.addEventListener('offline', changed);
}

export const liveStatus = {
  get: (): LiveState => current,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** A new stream, `connecting`; its report(state) and end() keep the indicator right. */
  open(): { report(state: StreamState): void; end(): void } {
    const id = nextId++;
    streams.set(id, 'connecting');
    changed();
    return {
      report(state) {
        if (!streams.has(id)) return;
        streams.set(id, state);
        changed();
      },
      end() {
        streams.delete(id);
        changed();
      },
    };
  },
};
