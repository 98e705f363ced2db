import { REFRESH_MARGIN_MS, refreshAfter } from './session';

describe('refreshAfter', () => {
  it('refreshes the access token a margin before it expires, never in the past', () => {
    expect(refreshAfter(1_000, 900)).toBe(1_000 + 900_000 - REFRESH_MARGIN_MS);
    expect(refreshAfter(1_000, 10)).toBe(1_000);
  });
});
