import {
  Inject,
  Injectable,
  Module,
  Optional,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import { EventsRuntime } from '@switchboard/events';
import { Clock, SystemClock } from './clock';
import { SubgraphAccessModule, type SubgraphAccessConfig } from './subgraph-access';

export interface ServiceRuntimeOptions {
  /** The clock every provider gets (`Clock`); SystemClock unless a test gives a ManualClock. */
  clock?: Clock;
  /** The last step of a shutdown (main.ts: flushing the traces). */
  onShutdown?: () => Promise<void>;
  /**
   * Guards `/graphql` (SubgraphAccessModule): the gateway's shared secret and the GraphQL
   * limits. createServiceApp always passes the service's config.
   */
  subgraphAccess?: SubgraphAccessConfig;
}

const ON_SHUTDOWN = Symbol('ON_SHUTDOWN');

/**
 * Stops consuming and relaying before the providers shut down, so no consumer works on a
 * database connection TypeORM is closing and no relay batch is cut off: EventsRuntime's own
 * shutdown runs in the same phase as TypeORM's, in no set order (a second call is harmless).
 */
@Injectable()
export class EventsDrain implements BeforeApplicationShutdown {
  constructor(@Optional() private readonly runtime?: EventsRuntime) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime?.onApplicationShutdown();
  }
}

/** Runs `onShutdown` when the application has shut down. */
@Injectable()
export class FinalShutdownStep implements OnApplicationShutdown {
  constructor(@Inject(ON_SHUTDOWN) private readonly step: () => Promise<void>) {}

  onApplicationShutdown(): Promise<void> {
    return this.step();
  }
}

/**
 * What createServiceApp puts next to the service's module: the `Clock` and the shutdown order
 * (consumers drained and the relay flushed before the database closes; `onShutdown` last).
 */
@Module({})
export class ServiceRuntimeModule {
  static forRoot(options: ServiceRuntimeOptions = {}): DynamicModule {
    return {
      module: ServiceRuntimeModule,
      global: true,
      providers: [
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        { provide: ON_SHUTDOWN, useValue: options.onShutdown ?? (async () => undefined) },
        EventsDrain,
        FinalShutdownStep,
      ],
      exports: [Clock],
    };
  }
}

@Module({})
class ServiceRootModule {}

/**
 * The service's module with the runtime beside it. The runtime is imported first: among the
 * global modules Nest shuts down the first registered last, so `onShutdown` runs after the
 * database and the broker clients have closed.
 */
export function serviceRootModule(
  module: Type | DynamicModule,
  options: ServiceRuntimeOptions = {},
): DynamicModule {
  return {
    module: ServiceRootModule,
    imports: [
      ServiceRuntimeModule.forRoot(options),
      ...(options.subgraphAccess ? [SubgraphAccessModule.forRoot(options.subgraphAccess)] : []),
      module,
    ],
  };
}
