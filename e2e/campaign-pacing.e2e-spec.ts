// Issue 13's pacing test in CI: a campaign to 1,000 recipients over 5 simulated SMSGate phones
// through the gateway, on a platform of its own (e2e/campaign-fault-run.ts, no kills), with the
// phones' Android limit scaled to 30 segments per 45 s window (devices PACING_WINDOW_MS, with a
// 2 s PACING_MARGIN_MS, and messaging's CAMPAIGN_PHONE_SEGMENTS_PER_MINUTE to match: 38 a
// minute a phone), so the campaign takes ~5.3 minutes instead of ~7: ~3.2 messages a second
// through the whole platform, well below what a loaded 2-core machine running the tests keeps
// up with. Faster windows measured the machine, not pacing: a 12 s window's 12.5 a second passed
// only just, a 24 s window's 5.75 a second gave 0.964 under a CPU burner, and a 30 s window's
// 4.7 a second gave 0.99 twice but 0.861 once when a build and another platform shared the two
// cores with it. From the phones' own logs: no phone is handed more than 30 segments in any
// window, the campaign's achieved rate (its handouts from the first to the last) is at least
// 95 % of the planned one (the requested 6,000 a minute capped by 5 phones × 56), and every
// recipient got exactly one message, delivered. The same run at the real 60 s window:
// `node bench/campaign-pacing.cjs` (bench/campaign-pacing.ts).
import { runCampaignFault } from './campaign-fault-run';

describe('campaign pacing (1,000 recipients, 5 phones, scaled window)', () => {
  it('keeps every phone at 30 segments per window and achieves ≥ 95 % of the planned rate', async () => {
    const result = await runCampaignFault({
      label: 'pacing-ci',
      recipients: 1000,
      phones: 5,
      kills: [],
      pacingWindowMs: 45_000,
      // Devices counts a phone's hand-outs over 47 s: on a loaded machine a phone may receive
      // one up to ~2 s after devices handed it out (a 400 ms margin let phones see 32 in their
      // own 24 s window once). The campaign's planned rate follows: 5 × 30 per 47 s.
      pacingMarginMs: 2_000,
      ratePerMinute: 6000,
      timeoutMs: 540_000,
      say: (line) => process.stdout.write(`[campaign-pacing] ${line}\n`),
    });
    const p = result.pacing;
    process.stdout.write(
      `[campaign-pacing] planned ${p.plannedPerMinute}/min, achieved ${p.achievedPerMinute.toFixed(1)}/min, fidelity ${p.fidelity.toFixed(3)}, most segments per phone per window ${JSON.stringify(p.maxSegmentsPerWindow)}, ${result.seconds.toFixed(0)} s\n`,
    );
    expect(p.plannedPerMinute).toBe(5 * Math.floor((30 * 60_000) / 47_000));
    expect(p.capViolations).toBe(0);
    for (const most of p.maxSegmentsPerWindow) expect(most).toBeLessThanOrEqual(30);
    expect(p.fidelity).toBeGreaterThanOrEqual(0.95);
    expect(result.messages).toBe(1000);
    expect(result.missing).toEqual([]);
    expect(result.duplicated).toEqual([]);
    expect(result.statuses).toEqual({ DELIVERED: 1000 });
    expect(result.transmittedTwice).toEqual([]);
    expect(result.neverTransmitted).toEqual([]);
    expect(result.strayTransmissions).toBe(0);
  }, 660_000);
});
