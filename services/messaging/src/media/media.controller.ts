import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '@switchboard/auth';
import { MediaService } from './media.service';

/**
 * `GET /media/:id?token=…`: a stored inbound MMS medium. No session: the signed, expiring link
 * of `Message.media.storedUrl` is the authorization; the gateway forwards `/media/*` here
 * unchanged. Always an attachment, never sniffed (the bytes came from a stranger).
 */
@Public()
@Controller('media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  @Get(':id')
  async get(
    @Param('id') id: string,
    @Query('token') token: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const content = await this.media.content(id, token ?? '');
    res.status(200);
    res.setHeader('content-type', content.contentType);
    res.setHeader('content-length', String(content.data.length));
    res.setHeader('content-disposition', `attachment; filename="media-${id.toLowerCase()}"`);
    res.setHeader('cache-control', 'private, no-store');
    res.setHeader('x-content-type-options', 'nosniff');
    res.end(content.data);
  }
}
