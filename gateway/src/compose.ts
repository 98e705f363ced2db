import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import type { SubgraphSdl } from './subgraphs';

/** Composes subgraph SDLs into a supergraph SDL, or throws with every composition error. */
export function composeSupergraph(subgraphs: SubgraphSdl[]): string {
  if (subgraphs.length === 0) throw new Error('no subgraph schema to compose');
  const result = composeServices(
    subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.typeDefs) })),
  );
  if (result.errors?.length) {
    throw new Error(
      `supergraph composition failed:\n${result.errors.map((e) => `  - ${e.message}`).join('\n')}`,
    );
  }
  if (!result.supergraphSdl) throw new Error('supergraph composition produced no schema');
  return result.supergraphSdl;
}
