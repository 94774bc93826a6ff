import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';
import { createLogger } from '../platform/logger.ts';
import { PersistedDocuments, sha256Hex } from './persisted-documents.ts';
import { watchManifest } from './watch-manifest.ts';

const logger = createLogger({ logLevel: 'silent' });
const manifestOf = (...docs: string[]) => JSON.stringify(Object.fromEntries(docs.map((d) => [`sha256:${sha256Hex(d)}`, d])));

describe('npm run dev trusts documents codegen writes while the server runs', () => {
  it('a document added to the manifest file is trusted without a restart; an invalid one is not', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'deskgraph-manifest-')), 'persisted-documents.json');
    const first = 'query First { viewer { id } }';
    const second = 'query Second { viewer { name } }';
    const invalid = 'query Invalid { viewer { shoeSize } }';
    writeFileSync(file, manifestOf(first));
    const documents = new PersistedDocuments(new Map([[sha256Hex(first), first]]), null);
    const stop = watchManifest(file, documents, schema, logger);
    try {
      writeFileSync(file, manifestOf(first, invalid));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(documents.get(sha256Hex(invalid))).toBeUndefined();
      writeFileSync(file, manifestOf(first, second));
      await expect.poll(() => documents.get(sha256Hex(second)), { timeout: 5000, interval: 100 }).toBe(second);
      expect(documents.get(sha256Hex(first))).toBe(first);
    } finally {
      stop();
    }
  });
});
