import { eventually } from './eventually';

describe('eventually', () => {
  it('returns once the check passes', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
        return 'done';
      },
      5000,
      1,
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it("throws the check's last failure after the timeout", async () => {
    await expect(
      eventually(
        () => {
          throw new Error('never');
        },
        20,
        5,
      ),
    ).rejects.toThrow('never');
  });
});
