// jest setupFiles: every integration/e2e test file sees the stack's settings in process.env.
import { loadStackEnv } from './stack-env';

loadStackEnv();
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
