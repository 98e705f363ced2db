import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GraphQLClient } from './graphql-client';

/**
 * A subgraph's SDL (`_service { sdl }`, what the gateway composes) must equal the committed
 * `services/<service>/schema.graphql`, from which gateway/supergraph.graphql is composed.
 * `UPDATE_SDL=1` (or a missing file outside CI) rewrites it. Returns the SDL.
 */
export async function expectCommittedSubgraphSchema(
  client: GraphQLClient,
  service: string,
): Promise<string> {
  const data = await client
    .as(undefined)
    .expectData<{ _service: { sdl: string } }>('{ _service { sdl } }');
  const file = resolve(__dirname, '../../../services', service, 'schema.graphql');
  const raw =
    `# The ${service} subgraph (Apollo Federation 2), as served at /graphql. Generated from the code\n` +
    `# by its integration tests (UPDATE_SDL=1 rewrites it); do not edit by hand.\n\n${data._service.sdl.trim()}\n`;
  // Formatted like the rest of the repository; prettier runs in a child process because its
  // API is ESM, which jest's runtime cannot load.
  const sdl = execFileSync(
    process.execPath,
    [require.resolve('prettier/bin/prettier.cjs'), '--stdin-filepath', file],
    {
      input: raw,
      encoding: 'utf8',
    },
  );
  if (process.env.UPDATE_SDL === '1' || (!existsSync(file) && !process.env.CI))
    writeFileSync(file, sdl);
  if (!existsSync(file))
    throw new Error(`${file} is missing: run the ${service} integration tests with UPDATE_SDL=1`);
  if (sdl !== readFileSync(file, 'utf8')) {
    throw new Error(
      `${file} is stale: run the ${service} integration tests with UPDATE_SDL=1, then compose the supergraph`,
    );
  }
  return data._service.sdl;
}
