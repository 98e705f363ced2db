import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { Response } from 'express';

const logger = new Logger('Downloads');

/** A downloadable document: its name, its type, and how to write it (streamed). */
export interface Attachment {
  filename: string;
  contentType: string;
  writeTo(out: Writable): Promise<void>;
}

/**
 * Sends a download: 200, attachment headers, never cached, the body streamed. The status is
 * sent before the body, so a failure while writing can only cut the response off.
 */
export async function sendAttachment(res: Response, attachment: Attachment): Promise<void> {
  res.status(200);
  res.setHeader('content-type', attachment.contentType);
  res.setHeader('content-disposition', `attachment; filename="${attachment.filename}"`);
  res.setHeader('cache-control', 'no-store');
  try {
    await attachment.writeTo(res);
    res.end();
  } catch (error) {
    // The client already has the 200: cutting the connection is how it learns the body is
    // incomplete; the cause is ours to see.
    logger.error({ msg: 'download cut off', filename: attachment.filename, error: String(error) });
    res.destroy();
  }
}

/** Writes lines as they are read, respecting back-pressure. */
export function writeLines(lines: AsyncIterable<string>): (out: Writable) => Promise<void> {
  return async (out) => {
    for await (const line of lines) {
      if (!out.write(line)) await once(out, 'drain');
    }
  };
}
