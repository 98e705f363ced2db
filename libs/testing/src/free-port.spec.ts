import { ephemeralPortRange, freePort, listenPortBlock } from './free-port';

describe('freePort', () => {
  it('reads the kernel range, and falls back to the IANA range when it cannot', () => {
    expect(ephemeralPortRange(() => '32768\t60999\n')).toEqual([32768, 60999]);
    expect(
      ephemeralPortRange(() => {
        throw new Error('ENOENT');
      }),
    ).toEqual([49152, 65535]);
    expect(ephemeralPortRange(() => 'nonsense')).toEqual([49152, 65535]);
  });

  it('hands out ports outside the ephemeral range, the larger side', () => {
    expect(listenPortBlock([32768, 60999])).toEqual([10000, 32767]);
    expect(listenPortBlock([10000, 20000])).toEqual([20001, 65535]);
    expect(listenPortBlock([10500, 65000])).toBeUndefined();
  });

  it('gives distinct ports outside the ephemeral range', async () => {
    const [low, high] = ephemeralPortRange();
    const ports = [];
    for (let i = 0; i < 20; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(20);
    for (const port of ports) expect(port < low || port > high).toBe(true);
  });
});
