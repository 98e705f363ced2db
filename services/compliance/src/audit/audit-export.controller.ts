import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '@switchboard/auth';
import { sendAttachment, writeLines } from '../common/attachment';
import { AuditExportsService } from './audit-exports.service';

/**
 * `GET /downloads/audit-log/:id?token=…`: an audit log export as JSON lines, streamed. No
 * session: the signed, expiring token is the authorization. Thin: one service call, then the
 * lines are written as they are read (back-pressure respected).
 */
@Public()
@Controller('downloads/audit-log')
export class AuditExportController {
  constructor(private readonly exports: AuditExportsService) {}

  @Get(':id')
  async download(
    @Param('id') id: string,
    @Query('token') token: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const download = await this.exports.open(id, token ?? '');
    await sendAttachment(res, {
      filename: download.filename,
      contentType: 'application/x-ndjson; charset=utf-8',
      writeTo: writeLines(download.lines),
    });
  }
}
