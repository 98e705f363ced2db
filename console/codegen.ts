// Typed operations from the supergraph: every gql`` document in src/ is checked against
// gateway/supergraph.graphql and gets its TypeScript types, so a schema change that breaks a
// page fails `nx run console:typecheck` (and the build), not the browser.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'gateway/supergraph.graphql',
  documents: ['console/src/**/*.{ts,tsx}', '!console/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'console/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Metadata: 'Record<string, string>' },
      },
    },
  },
};

export default config;
