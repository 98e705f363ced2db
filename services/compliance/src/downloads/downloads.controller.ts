import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '@switchboard/auth';
import { sendAttachment } from '../common/attachment';
import { ExportDocumentService } from './export-document.service';

/**
 * `GET /downloads/:id?token=…`: an export's JSON document, streamed. No session: the signed,
 * expiring token is the authorization (the gateway forwards the route unchanged; it is the
 * only public entry point). Thin: one service call.
 */
@Public()
@Controller('downloads')
export class DownloadsController {
  constructor(private readonly documents: ExportDocumentService) {}

  @Get(':id')
  async download(
    @Param('id') id: string,
    @Query('token') token: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const document = await this.documents.open(id, token ?? '');
    await sendAttachment(res, {
      filename: document.filename,
      contentType: 'application/json; charset=utf-8',
      writeTo: (out) => document.writeTo(out),
    });
  }
}
