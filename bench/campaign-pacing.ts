// Issue 13's pacing run: a campaign to 1,000 recipients over 5 simulated phones at Android's real
// limit (30 segments per 60 s window each: ~7 minutes), on a platform of its own:
//
//   node tools/build.mjs && node bench/campaign-pacing.cjs [--recipients 1000] [--phones 5]
//     [--window-ms 60000] [--rate 6000]
//
// Prints pacing fidelity (achieved ÷ planned rate; achieved = the campaign's handouts over the
// time from the first to the last, from the phones' own logs; planned = the requested rate capped
// by the phones), the most segments any phone was handed in one window and the cap violations,
// and whether every recipient got exactly one message. Exits 1 when a goal is missed (fidelity
// ≥ 0.95, no violation, one message each).
import { parseArgs } from 'node:util';
import { runCampaignFault } from '../e2e/campaign-fault-run';

const { values } = parseArgs({
  options: {
    recipients: { type: 'string', default: '1000' },
    phones: { type: 'string', default: '5' },
    'window-ms': { type: 'string', default: '60000' },
    rate: { type: 'string', default: '6000' },
  },
});

async function main() {
  const recipients = Number(values.recipients);
  const phones = Number(values.phones);
  const windowMs = Number(values['window-ms']);
  const perMinute = Math.min(Number(values.rate), (phones * 30 * 60_000) / windowMs);
  const result = await runCampaignFault({
    label: 'campaign-pacing',
    recipients,
    phones,
    kills: [],
    pacingWindowMs: windowMs,
    ratePerMinute: Number(values.rate),
    timeoutMs: Math.max(300_000, (recipients / perMinute) * 60_000 * 2),
    say: (line) => console.log(line),
  });
  const p = result.pacing;
  console.log(
    `recipients ${recipients}, ${phones} phones, window ${windowMs} ms, ${result.seconds.toFixed(0)} s`,
  );
  console.log(
    `  planned ${p.plannedPerMinute.toFixed(1)}/min, achieved ${p.achievedPerMinute.toFixed(1)}/min, fidelity ${p.fidelity.toFixed(3)} (goal ≥ 0.95); fan-out created ${p.createdPerMinute.toFixed(1)}/min`,
  );
  console.log(
    `  most segments per phone per window ${JSON.stringify(p.maxSegmentsPerWindow)} (cap 30), violations ${p.capViolations}`,
  );
  const oneEach =
    result.missing.length + result.duplicated.length + result.transmittedTwice.length === 0 &&
    result.neverTransmitted.length === 0;
  console.log(
    `  every recipient exactly one message: ${oneEach} ${JSON.stringify(result.statuses)}`,
  );
  const ok = oneEach && p.capViolations === 0 && p.fidelity >= 0.95;
  console.log(ok ? 'PASS' : 'FAIL');
  process.exit(ok ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
