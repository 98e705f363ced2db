import { checkMediaUrls, MAX_MEDIA_URLS } from './media-urls';

describe('checkMediaUrls', () => {
  it('takes none, or https URLs', () => {
    expect(checkMediaUrls(undefined)).toEqual({ ok: true, value: [] });
    expect(checkMediaUrls([' https://cdn.example.com/a.jpg '])).toEqual({
      ok: true,
      value: ['https://cdn.example.com/a.jpg'],
    });
  });

  it.each([
    ['http', ['http://cdn.example.com/a.jpg']],
    ['not a URL', ['cat.jpg']],
    ['credentials', ['https://user:pw@cdn.example.com/a.jpg']],
    ['a data URL', ['data:image/png;base64,AAAA']],
    ['too long', [`https://cdn.example.com/${'a'.repeat(2100)}`]],
    ['too many', Array.from({ length: MAX_MEDIA_URLS + 1 }, (_, i) => `https://x.example/${i}`)],
  ])('refuses %s: INVALID_MEDIA', (_what, urls) => {
    expect(checkMediaUrls(urls)).toMatchObject({ ok: false, refusal: { code: 'INVALID_MEDIA' } });
  });
});
