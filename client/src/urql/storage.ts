// Graphcache's offline copy in IndexedDB, one record per cache entry. Graphcache hands storage only the
// entries that changed; the library's makeDefaultStorage merges them into one record per day and puts
// that whole record back on every write, so each page of a long list cost a copy of everything loaded
// so far (at 10,000 tickets, most of a second of main thread per page). Here a write costs what changed.
import type { SerializedEntries, SerializedRequest, StorageAdapter } from '@urql/exchange-graphcache';

export interface OfflineStorage extends StorageAdapter {
  /** Forgets everything: the cache and the queue of mutations made offline. */
  clear(): Promise<void>;
  /** Settles once graphcache has loaded this copy (onCacheHydrated); `true` from then on. */
  hydrated: Promise<void>;
  isHydrated(): boolean;
}

const ENTRIES = 'entries';
const METADATA = 'metadata';
const DAY_MS = 86_400_000;
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;
const OPEN_TIMEOUT_MS = 3_000;

interface Stored {
  value: string;
  /** Day (since the epoch) it was last written: entries older than maxAge days are dropped when read. */
  day: number;
}

const done = (request: IDBRequest) =>
  new Promise<void>((resolve, reject) => {
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
const committed = (transaction: IDBTransaction) =>
  new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = transaction.onabort = () => reject(transaction.error);
  });

export function makeOfflineStorage({ idbName, maxAge = 7 }: { idbName: string; maxAge?: number }): OfflineStorage {
  const today = Math.floor(Date.now() / DAY_MS);
  const open = indexedDB.open(idbName, 2);
  open.onupgradeneeded = () => {
    // Version 1 was makeDefaultStorage's layout (one record per day): start again.
    const db = open.result;
    for (const name of Array.from(db.objectStoreNames)) db.deleteObjectStore(name);
    db.createObjectStore(ENTRIES);
    db.createObjectStore(METADATA);
  };
  const database = new Promise<IDBDatabase>((resolve, reject) => {
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  // The cache works without its offline copy (private windows, quota): failures only lose that copy.
  const quietly = <T>(work: Promise<T>, fallback: T) => work.catch(() => fallback);
  let onlineListener: (() => void) | undefined;
  let isHydrated = false;
  let markHydrated!: () => void;
  const hydrated = new Promise<void>((resolve) => (markHydrated = resolve)).then(() => {
    isHydrated = true;
  });
  // graphcache sends the queue of mutations that failed for want of network again when the browser
  // says it is back online. A mutation can fail so while the browser thinks it is online (a connection
  // reset, a server out of reach, the network back before the failure was seen): no online event will
  // come, and it would wait, shown as done, until the next reload. Those are tried again, less and less
  // often, while the browser says it is online.
  let flushQueue: (() => void) | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryDelay = RETRY_FIRST_MS;
  const scheduleRetry = (queued: number) => {
    clearTimeout(retryTimer);
    if (queued === 0) {
      retryDelay = RETRY_FIRST_MS;
      return;
    }
    if (!navigator.onLine || !flushQueue) return; // the online event will flush it
    retryTimer = setTimeout(() => flushQueue?.(), retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  };

  return {
    hydrated,
    isHydrated: () => isHydrated,
    onCacheHydrated: () => markHydrated(),
    readData() {
      // Operations wait for this (client.ts): a database that does not open (an older version still
      // open in another tab blocks the upgrade) must not hold the app, which then starts without it.
      const tooSlow = new Promise<SerializedEntries>((resolve) => setTimeout(() => resolve({}), OPEN_TIMEOUT_MS));
      const read = quietly(
        database.then((db) => {
          const transaction = db.transaction(ENTRIES, 'readwrite');
          const store = transaction.objectStore(ENTRIES);
          const entries: SerializedEntries = {};
          store.openCursor().onsuccess = function () {
            const cursor = this.result;
            if (!cursor) return;
            const stored = cursor.value as Stored;
            if (stored.day < today - maxAge) cursor.delete();
            else entries[cursor.key as string] = stored.value;
            cursor.continue();
          };
          return committed(transaction).then(() => entries);
        }),
        {},
      );
      return Promise.race([read, tooSlow]);
    },
    writeData(delta) {
      return quietly(
        database.then((db) => {
          const transaction = db.transaction(ENTRIES, 'readwrite');
          const store = transaction.objectStore(ENTRIES);
          for (const key in delta) {
            const value = delta[key];
            if (value === undefined) store.delete(key);
            else store.put({ value, day: today } satisfies Stored, key);
          }
          return committed(transaction);
        }),
        undefined,
      );
    },
    readMetadata() {
      return quietly(
        database.then((db) => {
          const request = db.transaction(METADATA, 'readonly').objectStore(METADATA).get(METADATA);
          return done(request).then(() => (request.result as SerializedRequest[] | undefined) ?? null);
        }),
        null,
      );
    },
    writeMetadata(requests) {
      void quietly(
        database.then((db) => done(db.transaction(METADATA, 'readwrite').objectStore(METADATA).put(requests, METADATA))),
        undefined,
      );
      scheduleRetry(requests.length);
    },
    onOnline(callback) {
      if (onlineListener) window.removeEventListener('online', onlineListener);
      flushQueue = callback;
      onlineListener = () => callback();
      window.addEventListener('online', onlineListener);
    },
    clear() {
      return quietly(
        database.then((db) => {
          const transaction = db.transaction([ENTRIES, METADATA], 'readwrite');
          transaction.objectStore(ENTRIES).clear();
          transaction.objectStore(METADATA).clear();
          return committed(transaction);
        }),
        undefined,
      );
    },
  };
}
