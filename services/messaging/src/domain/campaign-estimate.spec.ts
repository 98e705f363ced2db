import { estimateCampaignSends } from './campaign-estimate';

describe('estimateCampaignSends', () => {
  it('is exact when the sample is every recipient', () => {
    const sample = [
      { segments: 1, country: 'US' },
      { segments: 2, country: 'US' },
      { segments: 3, country: 'CA' },
    ];
    expect(estimateCampaignSends(sample, 3)).toEqual({
      segments: 6,
      mms: 0,
      destinationCountry: 'US',
    });
  });

  it('extrapolates the sample mean to every recipient, rounding up', () => {
    const sample = [
      { segments: 1, country: 'GB' },
      { segments: 2, country: 'GB' },
    ];
    expect(estimateCampaignSends(sample, 1001).segments).toBe(1502); // 1.5 × 1001 = 1501.5
    expect(estimateCampaignSends(sample, 100_000).segments).toBe(150_000);
  });

  it('estimates nothing for no recipients', () => {
    expect(estimateCampaignSends([], 10)).toEqual({
      segments: 0,
      mms: 0,
      destinationCountry: null,
    });
    expect(estimateCampaignSends([{ segments: 2, country: 'US' }], 0).segments).toBe(0);
  });

  it('takes the most common known country', () => {
    const sample = [
      { segments: 1, country: null },
      { segments: 1, country: 'DE' },
      { segments: 1, country: 'FR' },
      { segments: 1, country: 'FR' },
    ];
    expect(estimateCampaignSends(sample, 4).destinationCountry).toBe('FR');
  });
});
