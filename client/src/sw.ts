/// <reference lib="webworker" />
declare const self: ServiceWorkerGlobalScope;
const URLS: string[] = '__PRECACHE_URLS__' as unknown as string[];
console.log(URLS, '__PRECACHE_VERSION__', self);
