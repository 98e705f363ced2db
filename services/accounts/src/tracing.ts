// Its own module, imported first by main.ts: imports are hoisted, so tracing must start in a
// module that is loaded before Nest and the instrumented libraries.
import { startTracing } from '@switchboard/observability/tracing';

export const tracing = startTracing({ serviceName: 'accounts' });
