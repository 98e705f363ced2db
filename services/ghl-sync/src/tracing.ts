// Imported first by main.ts: tracing must start before the modules it instruments load.
import { startTracing } from '@switchboard/observability/tracing';

export const tracing = startTracing({ serviceName: 'ghl-sync' });
