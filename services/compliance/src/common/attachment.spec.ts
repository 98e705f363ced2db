import { PassThrough } from 'node:stream';
import type { Response } from 'express';
import { sendAttachment, writeLines } from './attachment';

function fakeResponse() {
  const body = new PassThrough();
  const chunks: string[] = [];
  body.on('data', (c: Buffer) => chunks.push(c.toString()));
  const headers: Record<string, string> = {};
  const res = Object.assign(body, {
    statusCode: 0,
    status(code: number) {
      res.statusCode = code;
      return res;
    },
    setHeader(name: string, value: string) {
      headers[name] = value;
      return res;
    },
  });
  return { res: res as unknown as Response & PassThrough, headers, chunks };
}

async function* lines(...items: string[]) {
  for (const item of items) yield item;
}

describe('sendAttachment', () => {
  it('sends the headers of a download, then the streamed body', async () => {
    const { res, headers, chunks } = fakeResponse();
    await sendAttachment(res, {
      filename: 'audit-log.jsonl',
      contentType: 'application/x-ndjson; charset=utf-8',
      writeTo: writeLines(lines('{"a":1}\n', '{"a":2}\n')),
    });
    expect(res.statusCode).toBe(200);
    expect(headers).toEqual({
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': 'attachment; filename="audit-log.jsonl"',
      'cache-control': 'no-store',
    });
    expect(chunks.join('')).toBe('{"a":1}\n{"a":2}\n');
    expect(res.writableEnded).toBe(true);
  });

  it('cuts the response off when writing fails', async () => {
    const { res } = fakeResponse();
    await sendAttachment(res, {
      filename: 'x.json',
      contentType: 'application/json',
      writeTo: async () => {
        throw new Error('database gone');
      },
    });
    expect(res.destroyed).toBe(true);
  });
});
