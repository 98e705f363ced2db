/**
 * The platform's components as the image and the chart know them: tools/services.txt (name,
 * project root, HTTP port) plus which of them exist in this tree. Pure: the callers read files.
 */
export interface Component {
  name: string;
  /** Project root, e.g. `services/messaging` or `gateway`. */
  root: string;
  port: number;
}

export enum DeployErrorCode {
  UNKNOWN_COMPONENT = 'UNKNOWN_COMPONENT',
  COMPONENT_NOT_BUILT = 'COMPONENT_NOT_BUILT',
  NOTHING_TO_MIGRATE = 'NOTHING_TO_MIGRATE',
  MISSING_ARGUMENT = 'MISSING_ARGUMENT',
}

/** Bad input to the image's entrypoint or the chart's generator, with a code saying what. */
export class DeployException extends Error {
  constructor(
    readonly code: DeployErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'DeployException';
  }
}

/** Parses tools/services.txt: `name root port` per line, `#` comments. */
export function parseServicesFile(text: string): Component[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [name, root, port] = line.split(/\s+/);
      return { name, root, port: Number(port) };
    });
}

/** What the entrypoint runs: a script under dist/ and its arguments. */
export interface EntrypointTarget {
  script: string;
  args: string[];
}

export const TOPICS_SCRIPT = 'dist/tools/topics/src/create-topics.js';
export const mainScript = (c: Component) => `dist/${c.root}/src/main.js`;
export const migrateScript = (c: Component) => `dist/${c.root}/src/migrate.js`;

/**
 * The image's command line → the script to run:
 *   `<component>` → its main.js; `migrate <component>` → its migrate.js;
 *   `topics [args]` → the topics job (args passed on, e.g. `--dry-run`).
 * `exists` says whether a path (relative to the image's working directory) is present.
 */
export function entrypointTarget(
  argv: readonly string[],
  components: readonly Component[],
  exists: (path: string) => boolean,
): EntrypointTarget {
  const [command, ...rest] = argv;
  const find = (name: string | undefined) => {
    if (!name) throw new DeployException(DeployErrorCode.MISSING_ARGUMENT, 'name a component');
    const component = components.find((c) => c.name === name);
    if (!component)
      throw new DeployException(
        DeployErrorCode.UNKNOWN_COMPONENT,
        `"${name}" is none of ${components.map((c) => c.name).join(', ')}, migrate <component>, topics`,
      );
    return component;
  };
  if (command === 'topics') {
    if (!exists(TOPICS_SCRIPT))
      throw new DeployException(DeployErrorCode.COMPONENT_NOT_BUILT, 'topics is not in this image');
    return { script: TOPICS_SCRIPT, args: rest };
  }
  if (command === 'migrate') {
    const component = find(rest[0]);
    if (!exists(mainScript(component)))
      throw new DeployException(
        DeployErrorCode.COMPONENT_NOT_BUILT,
        `${component.name} is not in this image`,
      );
    if (!exists(migrateScript(component)))
      throw new DeployException(
        DeployErrorCode.NOTHING_TO_MIGRATE,
        `${component.name} has no migrations`,
      );
    return { script: migrateScript(component), args: rest.slice(1) };
  }
  const component = find(command);
  if (!exists(mainScript(component)))
    throw new DeployException(
      DeployErrorCode.COMPONENT_NOT_BUILT,
      `${component.name} is not in this image`,
    );
  return { script: mainScript(component), args: rest };
}

/** The components whose code exists (the gateway only with a committed supergraph). */
export function presentComponents(
  components: readonly Component[],
  exists: (path: string) => boolean,
): Component[] {
  return components.filter(
    (c) =>
      exists(`${c.root}/src/main.ts`) &&
      (c.name !== 'gateway' || exists('gateway/supergraph.graphql')),
  );
}
