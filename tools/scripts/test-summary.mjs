// Sums the jest reports of the tiers and prints the closing line CI reads:
// "N passed, N failed[, N skipped]". Exits non-zero if any test or any step failed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [reports, ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const tier of ['unit', 'integration', 'e2e']) {
  const file = join(reports, `${tier}.json`);
  if (!existsSync(file)) {
    console.log(`${tier}: no report`);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  // A suite that failed to load counts as a failure even though it ran no test.
  const brokenSuites = r.testResults.filter(
    (s) => s.status === 'failed' && s.assertionResults.length === 0,
  ).length;
  passed += r.numPassedTests;
  failed += r.numFailedTests + brokenSuites;
  skipped += r.numPendingTests + r.numTodoTests;
  console.log(
    `${tier}: ${r.numPassedTests} passed, ${r.numFailedTests + brokenSuites} failed in ${r.numTotalTestSuites} file(s)`,
  );
}
// A failed step (a check, or a tier that could not run) counts as a failure in the total.
if (failedSteps.length) console.log(`failed steps: ${failedSteps.join(', ')}`);
failed += failedSteps.length;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
