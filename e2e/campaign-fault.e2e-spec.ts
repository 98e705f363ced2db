// The short fault test of issue 13 in CI (the 10,000-recipient run with every component killed
// is bench/campaign-fault.ts): a 300-recipient campaign over 3 simulated phones on a platform of
// its own, one process per component, messaging and then devices SIGKILLed at random moments of
// the fan-out and started again. At the end the campaign is COMPLETED, every recipient has
// exactly one message, each in a final status (DELIVERED: the phones deliver everything), and
// the phones' own logs show each recipient's message transmitted exactly once.
import { runCampaignFault } from './campaign-fault-run';

describe('campaign fault test (short)', () => {
  it('loses nothing and sends nothing twice when messaging and devices are killed mid-campaign', async () => {
    const result = await runCampaignFault({
      label: 'fault-ci',
      recipients: 300,
      phones: 3,
      kills: ['messaging', 'devices'],
      // 10 a second: the fan-out takes ~30 s plus the restarts, long enough to be interrupted
      // twice. A restart lets the campaign's bucket fill (10 s of its rate) and the set-based
      // fan-out creates that burst at once: at 20 a second the burst after messaging's restart
      // (up to 200) could finish the fan-out before devices' kill point.
      ratePerMinute: 600,
      timeoutMs: 300_000,
      say: (line) => process.stdout.write(`[campaign-fault] ${line}\n`),
    });
    process.stdout.write(
      `[campaign-fault] ${JSON.stringify({ ...result, agentLogs: undefined })}\n`,
    );
    expect(result.kills.map((k) => k.name)).toEqual(['messaging', 'devices']);
    // Each kill happened while the campaign was still fanning out.
    for (const kill of result.kills) expect(kill.atCreated).toBeLessThan(300);
    expect(result.missing).toEqual([]);
    expect(result.duplicated).toEqual([]);
    expect(result.notFinal).toEqual({});
    expect(result.messages).toBe(300);
    expect(result.statuses).toEqual({ DELIVERED: 300 });
    expect(result.transmittedTwice).toEqual([]);
    expect(result.neverTransmitted).toEqual([]);
    expect(result.strayTransmissions).toBe(0);
  }, 600_000);
});
