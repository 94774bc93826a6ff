// The web client's build. `npm run client:build` (and `npm start` when the sources changed) writes
// client/dist, which the API server serves at /. The service worker is a second entry with a fixed
// name (/sw.js, so its scope is the whole origin); the list of files it precaches is written into it
// once the bundle is known.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Replaces the placeholders in sw.js with the emitted files and a version derived from them. */
function precacheManifest(): Plugin {
  return {
    name: 'deskgraph-precache-manifest',
    apply: 'build',
    generateBundle(_options, bundle) {
      // public/ files (the icon) are copied, not bundled: listed from the folder.
      const publicFiles = readdirSync(`${root}public`).filter((name) => !name.startsWith('.'));
      const files = [...Object.keys(bundle), ...publicFiles].filter((name) => name !== 'sw.js' && !name.startsWith('.vite/') && !name.endsWith('.map'));
      const urls = ['/', ...files.filter((f) => f !== 'index.html').map((f) => `/${f}`)].sort();
      const version = createHash('sha256').update(urls.join('\n')).digest('hex').slice(0, 12);
      const sw = bundle['sw.js'];
      if (!sw || sw.type !== 'chunk') throw new Error('sw.js was not emitted');
      // The minifier may re-quote the placeholders, so match any quote.
      const urlsPlaceholder = /([`'"])__PRECACHE_URLS__\1/;
      if (!urlsPlaceholder.test(sw.code)) throw new Error('sw.js lost its __PRECACHE_URLS__ placeholder');
      sw.code = sw.code.replace(urlsPlaceholder, JSON.stringify(urls)).replaceAll('__PRECACHE_VERSION__', version);
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  plugins: [react(), precacheManifest()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    sourcemap: false,
    rollupOptions: {
      input: { index: `${root}index.html`, sw: `${root}src/sw.ts` },
      output: {
        entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: { port: 5173 },
});
