import { Module } from '@nestjs/common';
import { GhlSyncModule } from '../ghl-sync.module';
import { CallbackQueue } from './callback-queue.service';
import { CallbackRunner } from './callback-runner.service';
import { CallbacksJob } from './callbacks.job';
import { CallbacksRepository } from './callbacks.repository';

/** The callback queue: every call to GHL that must not be lost, and the job that works it. */
@Module({
  imports: [GhlSyncModule],
  providers: [CallbacksRepository, CallbackRunner, CallbacksJob, CallbackQueue],
  exports: [CallbackQueue, CallbacksRepository],
})
export class CallbacksModule {}
