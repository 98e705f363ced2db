import type { LeaderLease } from './leader-lease';
import { PeriodicJob } from './periodic-job';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function recordingLogger() {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const log = (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ message, fields });
  return { lines, logger: { warn: log, error: log } };
}

describe('PeriodicJob', () => {
  const jobs: PeriodicJob[] = [];
  const job = (options: ConstructorParameters<typeof PeriodicJob>[0]) => {
    const j = new PeriodicJob(options);
    jobs.push(j);
    return j;
  };
  afterEach(async () => {
    for (const j of jobs.splice(0)) await j.stop();
  });

  it('runs at start, then once per interval (measured from the end of a run)', async () => {
    const starts: number[] = [];
    const j = job({
      name: 'test',
      intervalMs: 40,
      run: async () => {
        starts.push(Date.now());
        await sleep(10);
      },
    });
    const started = Date.now();
    j.start();
    await until('three runs', () => starts.length >= 3);
    await j.stop();
    expect(starts[0] - started).toBeLessThan(1000);
    for (let i = 1; i < starts.length; i++) {
      expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(48); // 10 ms run + 40 ms wait, ±timer slack
    }
  });

  it('waits the initial delay before the first run', async () => {
    let runs = 0;
    const j = job({
      name: 'test',
      intervalMs: 10,
      initialDelayMs: 200,
      run: async () => void runs++,
    });
    j.start();
    await sleep(100);
    expect(runs).toBe(0);
    await until('the first run', () => runs > 0);
  });

  it('never overlaps runs, even when one takes longer than the interval', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let runs = 0;
    const j = job({
      name: 'test',
      intervalMs: 1,
      run: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(30);
        inFlight--;
        runs++;
      },
    });
    j.start();
    await until('three runs', () => runs >= 3);
    expect(maxInFlight).toBe(1);
  });

  it('runs again at once while a run says more work is waiting', async () => {
    let batches = 3;
    let runs = 0;
    const j = job({
      name: 'test',
      intervalMs: 60_000,
      run: async () => {
        runs++;
        return --batches > 0;
      },
    });
    j.start();
    await until('the three batches', () => runs === 3, 1000);
    await sleep(50);
    expect(runs).toBe(3); // then it waits the (long) interval
  });

  it('logs a failed run and retries it after the retry delay', async () => {
    const { lines, logger } = recordingLogger();
    const delays: number[] = [];
    let runs = 0;
    const j = job({
      name: 'flaky job',
      intervalMs: 60_000,
      logger,
      retryDelayMs: (failures) => {
        delays.push(failures);
        return 10;
      },
      run: async () => {
        runs++;
        if (runs <= 2) throw new Error(`boom ${runs}`);
      },
    });
    j.start();
    await until('a good run', () => runs === 3);
    expect(delays).toEqual([1, 2]);
    expect(lines).toEqual([
      { message: 'flaky job failed, will retry', fields: { error: 'boom 1', failures: 1 } },
      { message: 'flaky job failed, will retry', fields: { error: 'boom 2', failures: 2 } },
    ]);
  });

  it('wake() starts the next run without waiting the interval', async () => {
    let runs = 0;
    const j = job({ name: 'test', intervalMs: 60_000, run: async () => void runs++ });
    j.start();
    await until('the first run', () => runs === 1);
    j.wake();
    await until('the woken run', () => runs === 2, 1000);
  });

  it('stop() waits for the run in progress, and no run starts after it', async () => {
    let finished = false;
    let runs = 0;
    const j = job({
      name: 'test',
      intervalMs: 1,
      run: async () => {
        runs++;
        await sleep(50);
        finished = true;
      },
    });
    j.start();
    await until('a run to start', () => runs === 1);
    await j.stop();
    expect(finished).toBe(true);
    expect(j.running).toBe(false);
    await sleep(30);
    expect(runs).toBe(1);
  });

  it('with a lease: runs only while leading, and releases the lease on stop', async () => {
    let leading = false;
    let released = 0;
    const lease = {
      acquire: async () => leading,
      release: async () => void released++,
    } as unknown as LeaderLease;
    let runs = 0;
    const j = job({ name: 'test', intervalMs: 10, lease, run: async () => void runs++ });
    j.start();
    await sleep(60);
    expect(runs).toBe(0);
    leading = true;
    await until('a run as the leader', () => runs > 0);
    await j.stop();
    expect(released).toBe(1);
  });

  it('treats a lease that cannot be checked as a failed run', async () => {
    const { lines, logger } = recordingLogger();
    let attempts = 0;
    const lease = {
      acquire: async () => {
        attempts++;
        throw new Error('connection refused');
      },
      release: async () => undefined,
    } as unknown as LeaderLease;
    let runs = 0;
    const j = job({
      name: 'test',
      intervalMs: 10,
      lease,
      logger,
      run: async () => void runs++,
    });
    j.start();
    await until('two attempts', () => attempts >= 2);
    expect(runs).toBe(0);
    expect(lines[0]).toEqual({
      message: 'test failed, will retry',
      fields: { error: 'connection refused', failures: 1 },
    });
  });
});
