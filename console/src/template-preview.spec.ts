import { templatePreview } from './template-preview';

describe('templatePreview', () => {
  it('renders fallbacks, lists placeholders without one, and counts the result', () => {
    const preview = templatePreview('Hi {{ first_name | there }}, {{city}} sale! {{phone}}');
    expect(preview.text).toBe('Hi there,  sale! +15555550100');
    expect(preview.missing).toEqual(['city']);
    expect(preview.count.label).toBe('GSM-7 · 1 segment · 131 left');
  });
  it('switches to UCS-2 when a fallback needs it', () => {
    expect(templatePreview('{{x|😀}}').count.encoding).toBe('UCS2');
  });
});
