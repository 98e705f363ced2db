// Issue 13's campaign fault test on demand: `node bench/campaign-fault.cjs` (see the .ts header).
require('./run-ts.cjs')('campaign-fault.ts');
