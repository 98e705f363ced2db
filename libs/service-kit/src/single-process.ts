import type { Logger } from '@switchboard/observability';

/** How the single-process runner starts a component. */
export interface ComponentStartOptions {
  /** Shut down on SIGTERM/SIGINT by itself (default true; the runner says false). */
  shutdownHooks?: boolean;
  /** The logger of Nest's own lines, shared by every component of the process. */
  nestLogger?: Logger;
}

/** A started component: its port, and how to stop it gracefully. */
export interface RunningComponent {
  port: number;
  close(): Promise<void>;
}

/** A service or the gateway, as its main hands itself to the single-process runner. */
export interface ProcessComponent {
  name: string;
  start(
    env: Record<string, string | undefined>,
    options: ComponentStartOptions,
  ): Promise<RunningComponent>;
}

export interface SingleProcessHost {
  register(component: ProcessComponent): void;
  /** The component a main registered (once), by name. */
  take(name: string): ProcessComponent | undefined;
}

const HOST = Symbol.for('switchboard.single-process-host');
type WithHost = typeof globalThis & { [HOST]?: SingleProcessHost };

/**
 * The single-process mode (tools/platform/single-process.cjs, for small installs): the runner
 * installs this host, then loads each component's compiled main; a main that finds the host
 * registers itself instead of starting, and the runner starts it with the component's own
 * environment (port, database). The services still talk only over Kafka and keep their own
 * databases; they share the Node runtime and the loaded code.
 */
export function installSingleProcessHost(): SingleProcessHost {
  const registered = new Map<string, ProcessComponent>();
  const host: SingleProcessHost = {
    register: (component) => void registered.set(component.name, component),
    take(name) {
      const component = registered.get(name);
      registered.delete(name);
      return component;
    },
  };
  (globalThis as WithHost)[HOST] = host;
  return host;
}

/** The runner's host when this process is the single-process platform; otherwise undefined. */
export function singleProcessHost(): SingleProcessHost | undefined {
  return (globalThis as WithHost)[HOST];
}
