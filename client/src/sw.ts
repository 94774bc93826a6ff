/// <reference lib="webworker" />
// The app shell offline: every file of the build is cached at install, pages fall back to the cached
// shell when the network is gone, and hashed assets come from the cache first (they never change).
// API requests are not touched: the data's offline copy is graphcache's, in IndexedDB.
const worker = self as unknown as ServiceWorkerGlobalScope;

// Filled in by the build (client/vite.config.ts) with the emitted files and their digest.
const URLS = '__PRECACHE_URLS__' as unknown as string[];
const CACHE = 'deskgraph-shell-__PRECACHE_VERSION__';
/** Precached files other than the shell and the hashed assets: public/ (the icon). */
const PUBLIC_FILES = new Set(URLS.filter((url) => url !== '/' && !url.startsWith('/assets/')));

/** Service Worker Static Routing (Chromium): requests matching a rule never start or wait for the worker. */
type RouterInstallEvent = ExtendableEvent & {
  addRoutes?(rules: { condition: { urlPattern: { pathname: string } }; source: 'network' }[]): Promise<void>;
};

/**
 * Straight to the network: the API and the beacons, which the worker never answers. A request that
 * passes through a fetch handler only to fall back to the network is lost when its page is leaving, so
 * Web Vitals beacons sent at pagehide (client/src/vitals.ts) mostly never arrived from a page that
 * navigated away; routed here, they do. Browsers without static routing still fall through below.
 */
const NETWORK_ONLY = ['/graphql', '/vitals', '/metrics'];

worker.addEventListener('install', (event) => {
  const routes = (event as RouterInstallEvent).addRoutes?.(
    NETWORK_ONLY.map((pathname) => ({ condition: { urlPattern: { pathname } }, source: 'network' as const })),
  );
  event.waitUntil(
    Promise.all([
      routes?.catch((error: unknown) => console.warn('service worker routes not added', error)),
      caches.open(CACHE).then((cache) => cache.addAll(URLS)),
    ]).then(() => worker.skipWaiting()),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('deskgraph-shell-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => worker.clients.claim()),
  );
});

worker.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== worker.location.origin) return;
  if (request.mode === 'navigate') {
    // Network first, so a new deploy shows at once; the cached shell when offline.
    event.respondWith(fetch(request).catch(async () => (await caches.match('/', { cacheName: CACHE })) ?? Response.error()));
  } else if (PUBLIC_FILES.has(url.pathname)) {
    // Unhashed files (the icon): network first too, the cached copy when offline.
    event.respondWith(fetch(request).catch(async () => (await caches.match(url.pathname, { cacheName: CACHE })) ?? Response.error()));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(caches.match(request, { cacheName: CACHE }).then((hit) => hit ?? fetch(request)));
  }
});
