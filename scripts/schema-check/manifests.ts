// The registered documents of this repository: the persisted-operation manifests codegen writes (what the
// web client and the integration tests send by hash) and the benchmark's, which it builds in code.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { manifest as benchManifest } from '../../bench/lib/queries.ts';
import type { Manifest } from './documents.ts';

const MANIFEST_FILES = ['client/src/gql/persisted-documents.json', 'test/gql/persisted-documents.json'];

export function registeredManifests(root: string): Manifest[] {
  const files = MANIFEST_FILES.map((file) => {
    const full = path.join(root, file);
    if (!existsSync(full)) throw new Error(`${file} is missing: run npm run codegen.`);
    return { name: file, documents: JSON.parse(readFileSync(full, 'utf8')) as Record<string, string> };
  });
  return [...files, { name: 'bench/lib/queries.ts', documents: benchManifest() }];
}
