// The header's word on live updates: a dot and a word (just the dot on a phone), its meaning in the
// title, and announced politely when it changes (aria-live). Nothing is shown while no view is subscribed.
import { useSyncExternalStore } from 'react';
import { liveStatus, type LiveState } from '../urql/live-status.ts';

const SHOWN: Record<Exclude<LiveState, 'idle'>, { text: string; title: string }> = {
  live: { text: 'Live', title: 'Live updates on: changes made by others appear as they happen.' },
  reconnecting: { text: 'Reconnecting', title: 'Live updates are connecting again; what you see may be a little behind.' },
  offline: { text: 'Offline', title: 'Live updates are off: changes made by others show when you reload.' },
};

export function LiveIndicator() {
  const state = useSyncExternalStore(liveStatus.subscribe, liveStatus.get, () => 'idle' as const);
  const shown = state === 'idle' ? null : SHOWN[state];
  return (
    // aria-live without role="status": the offline banner is the page's status.
    <span className={`live live-${state}`} aria-live="polite" title={shown?.title}>
      {shown && (
        <>
          <span className="live-dot" aria-hidden="true" />
          <span className="live-text">{shown.text}</span>
        </>
      )}
    </span>
  );
}
