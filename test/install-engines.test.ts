// A clean install on the Node the README names: every package the lockfile installs must accept the
// oldest Node that package.json's `engines` allows, or `npm install` prints EBADENGINE warnings (and
// the package may really need a newer Node). The pins that keep this true are the `overrides` in
// package.json, explained in the README's "Installing" section.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { expect, test } from 'vitest';

interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'));

test('every locked package accepts the oldest Node that package.json allows', () => {
  const manifest = readJson('package.json') as { engines: { node: string } };
  const oldest = semver.minVersion(manifest.engines.node);
  expect(oldest?.version).toBe('20.19.0');

  const lock = readJson('package-lock.json') as { packages: Record<string, LockEntry> };
  const refusing = Object.entries(lock.packages)
    .filter(([, entry]) => !Array.isArray(entry.engines) && entry.engines?.node)
    .filter(([, entry]) => !semver.satisfies(oldest!, (entry.engines as { node: string }).node, { includePrerelease: true }))
    .map(
      ([path, entry]) => `${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${(entry.engines as { node: string }).node}`,
    );
  expect(refusing).toEqual([]);
  // The test would pass vacuously on a lockfile without engines fields.
  expect(Object.values(lock.packages).filter((entry) => !Array.isArray(entry.engines) && entry.engines?.node).length).toBeGreaterThan(500);
});
