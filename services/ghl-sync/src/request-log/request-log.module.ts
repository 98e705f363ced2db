import { Module } from '@nestjs/common';
import { GhlSyncModule } from '../ghl-sync.module';
import { RequestLogResolver } from './request-log.resolver';
import { RequestLogService } from './request-log.service';

/** The request log of GHL traffic and the connection test (GraphQL). */
@Module({
  imports: [GhlSyncModule],
  providers: [RequestLogService, RequestLogResolver],
})
export class RequestLogModule {}
