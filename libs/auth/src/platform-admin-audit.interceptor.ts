import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import { adminAuditEntry } from './admin-access';
import { PLATFORM_ADMIN_OPERATION_KEY, type PlatformAdminOperationMetadata } from './auth-metadata';
import { AUDIT_SINK, type AuditSink } from './audit-sink';

/**
 * Records every `@PlatformAdminOperation` call in the AUDIT_SINK: `success` once the result
 * is recorded (if recording fails, the caller gets the error, not the data), `failure` when the
 * operation throws (then the operation's error is rethrown). The sink is looked up anywhere in
 * the application, and its absence stops the application at start-up.
 */
@Injectable()
export class PlatformAdminAuditInterceptor implements NestInterceptor, OnModuleInit {
  private readonly logger = new Logger(PlatformAdminAuditInterceptor.name);
  private sink?: AuditSink;

  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    this.auditSink();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const operation = this.reflector.get<PlatformAdminOperationMetadata | undefined>(
      PLATFORM_ADMIN_OPERATION_KEY,
      context.getHandler(),
    );
    if (!operation) return next.handle();
    const sink = this.auditSink();
    const entry = adminAuditEntry(context, operation);
    return next.handle().pipe(
      catchError((error: unknown) =>
        from(
          sink
            .record(entry('failure'))
            .catch((auditError: unknown) =>
              this.logger.error(
                `could not record the failed ${operation.action}: ${(auditError as Error)?.message}`,
              ),
            ),
        ).pipe(mergeMap(() => throwError(() => error))),
      ),
      mergeMap(async (result: unknown) => {
        await sink.record(entry('success'));
        return result;
      }),
    );
  }

  private auditSink(): AuditSink {
    if (this.sink) return this.sink;
    try {
      this.sink = this.moduleRef.get<AuditSink>(AUDIT_SINK, { strict: false });
    } catch {
      throw new Error(
        '@PlatformAdminOperation needs an AuditSink: provide AUDIT_SINK in the application',
      );
    }
    return this.sink;
  }
}
