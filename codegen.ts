// GraphQL Code Generator: typed documents for every client of the API, from the printed schema.
// `npm run codegen` writes them; a test fails when they are stale.
import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  ignoreNoDocuments: false,
  // ESM imports with extensions, as NodeNext resolution requires.
  emitLegacyCommonJSImports: false,
  generates: {
    // The web client: typed documents, and persisted-documents.json, the manifest the server trusts by
    // default (the client sends only hashes). Graphcache normalizes by __typename, so every selection
    // carries it in the stored documents and therefore in the hashed text.
    'client/src/gql/': {
      documents: ['client/src/**/*.{ts,tsx}', '!client/src/gql/**'],
      preset: 'client',
      config: { enumsAsTypes: true, useTypeImports: true, scalars: { DateTime: 'string', ID: 'string' } },
      documentTransforms: [addTypenameSelectionDocumentTransform],
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
    },
    // Graphcache's schema awareness (interfaces, nullability, which fields exist), minified.
    'client/src/gql/introspection.json': {
      plugins: ['urql-introspection'],
      config: { minify: true, includeScalars: false, includeEnums: false, includeInputs: false, includeDirectives: false },
    },
    // The integration tests are the API's first client: their operations are typed documents.
    'test/gql/': {
      // test/fixtures/ holds other clients' projects, with their own codegen.
      documents: ['test/**/*.ts', '!test/gql/**', '!test/fixtures/**'],
      preset: 'client',
      config: { enumsAsTypes: true, useTypeImports: true },
      // persisted-documents.json: sha256 of each document → its text, the manifest the server trusts
      // (PERSISTED_OPERATIONS_MANIFEST); the documents keep their text too, for GraphiQL and allow mode.
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
    },
  },
};

export default config;
