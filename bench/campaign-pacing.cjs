// Issue 13's 1,000-recipient pacing run: `node bench/campaign-pacing.cjs` (see the .ts header).
require('./run-ts.cjs')('campaign-pacing.ts');
