// Its own module, imported first by main.ts: imports are hoisted, so tracing must start in a
// module that loads before Nest, express, graphql, pg and kafkajs.
import { startTracing } from '@switchboard/observability/tracing';

export const tracing = startTracing({ serviceName: 'messaging' });
