import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The subgraphs the supergraph is composed of, with their local URLs (tools/services.txt ports). */
export const SUBGRAPHS = [
  { name: 'accounts', url: 'http://127.0.0.1:4101/graphql' },
  { name: 'devices', url: 'http://127.0.0.1:4102/graphql' },
  { name: 'messaging', url: 'http://127.0.0.1:4103/graphql' },
  { name: 'compliance', url: 'http://127.0.0.1:4104/graphql' },
  { name: 'billing', url: 'http://127.0.0.1:4105/graphql' },
  { name: 'ghl-sync', url: 'http://127.0.0.1:4106/graphql' },
] as const;

/** Where each service commits its subgraph schema (checked by its integration tests). */
export function subgraphSchemaFile(root: string, name: string): string {
  return join(root, 'services', name, 'schema.graphql');
}

export interface SubgraphSdl {
  name: string;
  url: string;
  typeDefs: string;
}

/** The committed SDL of every subgraph that has one. */
export function committedSubgraphs(root: string): SubgraphSdl[] {
  return SUBGRAPHS.filter((s) => existsSync(subgraphSchemaFile(root, s.name))).map((s) => ({
    name: s.name,
    url: s.url,
    typeDefs: readFileSync(subgraphSchemaFile(root, s.name), 'utf8'),
  }));
}
