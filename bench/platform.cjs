// Issue 17's figures (B1, B1b, B4, B8) with their baselines: `node bench/platform.cjs`.
require('./run-ts.cjs')('platform.ts');
