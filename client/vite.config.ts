// The web client's build. `npm run client:build` (and `npm start` when the sources changed) writes
// client/dist, which the API server serves at /. The service worker is a second entry with a fixed
// name (/sw.js, so its scope is the whole origin); the list of files it precaches is written into it
// once the bundle is known.
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { constants as zlib } from 'node:zlib';
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
      const files = [...Object.keys(bundle), ...publicFiles].filter(
        (name) => name !== 'sw.js' && !name.startsWith('.vite/') && !name.endsWith('.map'),
      );
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

/**
 * x.br and x.gz next to every text file the browser fetches (public/ included), so the server sends
 * them without compressing per request. At maximum quality: once per build, served many times. Below
 * 1 KB the saving does not pay for the lookup; a variant no smaller than its original is not written;
 * .vite/ (the manifest) is read by the server only.
 */
function precompressed(): Plugin {
  return compression({
    include: /\.(js|css|html|svg|json|webmanifest)$/,
    exclude: /^\.vite\//,
    threshold: 1024,
    skipIfLargerOrEqual: true,
    algorithms: [
      defineAlgorithm('brotliCompress', {
        params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT },
      }),
      defineAlgorithm('gzip', { level: 9 }),
    ],
    logLevel: 'silent',
  });
}

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  plugins: [react(), precacheManifest(), precompressed()],
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
