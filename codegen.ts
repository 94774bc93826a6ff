// GraphQL Code Generator: typed documents for every client of the API, from the printed schema.
// `npm run codegen` writes them; a test fails when they are stale. The web client (client/) will add
// its own target here with persisted documents.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: false,
  // ESM imports with extensions, as NodeNext resolution requires.
  emitLegacyCommonJSImports: false,
  generates: {
    // The integration tests are the API's first client: their operations are typed documents.
    'test/gql/': {
      documents: ['test/**/*.ts', '!test/gql/**'],
      preset: 'client',
      config: { enumsAsTypes: true, useTypeImports: true },
      // persisted-documents.json: sha256 of each document → its text, the manifest the server trusts
      // (PERSISTED_OPERATIONS_MANIFEST); the documents keep their text too, for GraphiQL and allow mode.
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
    },
  },
};

export default config;
