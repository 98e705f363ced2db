import { once } from 'node:events';
import { Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '@switchboard/auth';
import { toContactImportModel, type ContactImportModel } from './contact-import.model';
import { ContactImportsService } from './contact-imports.service';

/**
 * `PUT|POST /uploads/contact-imports/:id?token=…` (the CSV as the raw body, `text/csv`) and
 * `GET /uploads/contact-imports/:id/report?token=…`. No session: the signed, expiring link from
 * `createContactImport` / `ContactImport.reportUrl` is the authorization; the gateway forwards
 * `/uploads/*` here unchanged (it is the only public entry point). Thin: one service call.
 */
@Public()
@Controller('uploads/contact-imports')
export class ContactImportsController {
  constructor(private readonly imports: ContactImportsService) {}

  @Put(':id')
  @HttpCode(200)
  async put(
    @Param('id') id: string,
    @Query('token') token: string | undefined,
    @Req() req: Request,
  ): Promise<ContactImportModel> {
    return toContactImportModel(await this.imports.upload(id, token ?? '', req));
  }

  @Post(':id')
  @HttpCode(200)
  async post(
    @Param('id') id: string,
    @Query('token') token: string | undefined,
    @Req() req: Request,
  ): Promise<ContactImportModel> {
    return this.put(id, token, req);
  }

  @Get(':id/report')
  async report(
    @Param('id') id: string,
    @Query('token') token: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const lines = this.imports.report(id, token ?? '');
    // The first line proves the link (a bad one throws before any header is sent).
    const first = await lines.next();
    res.status(200);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="contact-import-${id}-report.csv"`);
    res.setHeader('cache-control', 'no-store');
    if (!first.done) res.write(first.value);
    try {
      for await (const line of lines) {
        if (!res.write(line)) await once(res, 'drain');
      }
      res.end();
    } catch {
      res.destroy();
    }
  }
}
