// Where the browser tests find Chromium. Kept free of playwright so vitest.config.ts can ask cheaply.
import { existsSync } from 'node:fs';

/** Debian's package (apt-get install chromium); playwright's own download does not work here. */
const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless without a sandbox (CI runs as root in a container) and without the background traffic
 * (updates, sync, first-run pages) that an offline machine would only see fail.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The configured path (CHROMIUM_PATH, else Debian's), and whether a file is there. */
export function chromiumPath(): { path: string; found: boolean } {
  const path = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
  return { path, found: existsSync(path) };
}
