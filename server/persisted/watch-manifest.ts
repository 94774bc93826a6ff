// npm run dev: the client's documents change while the server runs (codegen rewrites the manifest on
// every edit), and the client sends only hashes. New documents are trusted as soon as the file changes;
// none are forgotten, since a page still open may send an older one. Never used in production, where
// the manifest is what was shipped.
import { unwatchFile, watchFile } from 'node:fs';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '../platform/logger.ts';
import { loadManifest, type PersistedDocuments } from './persisted-documents.ts';

export function watchManifest(file: string, documents: PersistedDocuments, schema: GraphQLSchema, logger: Logger): () => void {
  const reload = () => {
    loadManifest(file, schema).then(
      (entries) => {
        const added = documents.trust(entries);
        if (added > 0) logger.info({ added, file }, `trusting ${added} new persisted document(s) from ${file}`);
      },
      // Mid-edit states (a document the schema does not know yet) are normal here: say so and wait for the next save.
      (error: unknown) => logger.warn(`not reloading ${file}: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  watchFile(file, { interval: 500 }, reload);
  return () => unwatchFile(file, reload);
}
