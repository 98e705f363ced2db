import { outboundMediaProblem, type MediaHeadAnswer } from './outbound-media';

const ok = (contentLength: number | null = 100): MediaHeadAnswer => ({
  status: 200,
  contentLength,
  error: null,
});

describe('outboundMediaProblem', () => {
  it('lets media through that fit, or whose size or reachability we cannot know', () => {
    expect(outboundMediaProblem([ok(), ok(null)], 1000)).toBeUndefined();
    expect(
      outboundMediaProblem(
        [{ status: null, contentLength: null, error: { kind: 'network', message: 'ENOTFOUND' } }],
        1000,
      ),
    ).toBeUndefined();
    expect(
      outboundMediaProblem([{ status: 503, contentLength: null, error: null }], 1000),
    ).toBeUndefined();
    expect(
      outboundMediaProblem([{ status: 405, contentLength: null, error: null }], 1000),
    ).toBeUndefined();
  });

  it('fails a medium too large or definitely unreachable, never on another route', () => {
    expect(outboundMediaProblem([ok(), ok(1001)], 1000)).toEqual({
      code: 'MEDIA_TOO_LARGE',
      rawCode: null,
      rawText: 'media 1: 1001 bytes (limit 1000)',
      retryableOnAnotherRoute: false,
      transient: false,
    });
    expect(
      outboundMediaProblem([{ status: 404, contentLength: null, error: null }], 1000),
    ).toMatchObject({
      code: 'MEDIA_UNREACHABLE',
      rawText: 'media 0: HTTP 404',
    });
    expect(
      outboundMediaProblem(
        [
          {
            status: null,
            contentLength: null,
            error: { kind: 'forbidden-address', message: 'forbidden address 10.0.0.1' },
          },
        ],
        1000,
      ),
    ).toMatchObject({ code: 'MEDIA_UNREACHABLE', retryableOnAnotherRoute: false });
  });
});
