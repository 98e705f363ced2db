// Imported first by main.ts: instrumentations must patch http/express/graphql before they load.
import { startTracing } from '@switchboard/observability/tracing';

export const tracing = startTracing({ serviceName: 'gateway' });
