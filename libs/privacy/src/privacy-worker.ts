import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Topics } from '@switchboard/contracts';
import { LeaderLease, nestJobLogger, OutboxWriter, PeriodicJob } from '@switchboard/events';
import { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction, inTenantTransaction } from '@switchboard/tenancy';
import { ExportChunker } from './export-chunker';
import { PRIVACY_OPTIONS, type PrivacyOptions } from './privacy-config';
import { PRIVACY_PARTICIPANT, type PrivacyParticipant } from './privacy-participant';
import type { PrivacyTaskRecord } from './privacy-task.record';
import { PrivacyTasksRepository } from './privacy-tasks.repository';

/**
 * Carries out the service's privacy tasks, one short tenant transaction per step, on the leader
 * replica (`privacy:<service>`): an export page by page — each page's items cut into chunks of
 * at most 256 KiB, written to the outbox (`compliance.privacy-reply.v1`) in the transaction
 * that saves the task's cursor, so memory stays constant and a restart resumes where it was —
 * then `export_done` with counts and legal holds; an erasure batch by batch, then
 * `erasure_done`. Every reply is keyed by request id (in order per request).
 */
@Injectable()
export class PrivacyWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: PeriodicJob;

  constructor(
    @Inject(PRIVACY_OPTIONS) private readonly options: PrivacyOptions,
    @Inject(PRIVACY_PARTICIPANT) private readonly participant: PrivacyParticipant,
    private readonly dataSource: DataSource,
    private readonly tasks: PrivacyTasksRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    const logger = nestJobLogger(PrivacyWorker.name);
    this.job = new PeriodicJob({
      name: `${this.options.service} privacy`,
      intervalMs: this.options.intervalMs,
      lease: new LeaderLease({
        connectionString: this.options.connectionString,
        name: `privacy:${this.options.service}`,
        logger,
      }),
      logger,
      run: () => this.runOnce(),
    });
    this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /**
   * Records a request to carry out (in the consumer's transaction) and runs soon. An erasure
   * gets its random pseudonym here; a request delivered again starts over, harmlessly.
   */
  async accept(
    tx: EntityManager,
    request: Pick<PrivacyTaskRecord, 'orgId' | 'requestId' | 'kind' | 'subject'>,
  ): Promise<void> {
    await this.tasks.enqueue(
      tx,
      { ...request, pseudonym: request.kind === 'ERASURE' ? `erased-${randomUUID()}` : null },
      this.clock.now(),
    );
    this.job?.wake();
  }

  /** Carries every waiting task to its end; true when more tasks were waiting. */
  async runOnce(): Promise<boolean> {
    const due = await inGlobalTransaction(this.dataSource, (tx) => this.tasks.due(tx, 20));
    for (const task of due) {
      while (
        await inTenantTransaction(this.dataSource, task.orgId, (tx) =>
          this.step(tx, task.requestId),
        )
      );
    }
    return due.length === 20;
  }

  /** One step of one task in its tenant transaction; true when more steps follow. */
  private async step(tx: EntityManager, requestId: string): Promise<boolean> {
    const task = await this.tasks.lock(tx, requestId);
    if (!task || task.status === 'DONE') {
      await this.tasks.dequeue(tx, requestId);
      return false;
    }
    const now = this.clock.now();
    if (task.kind === 'EXPORT') await this.exportStep(tx, task);
    else await this.erasureStep(tx, task);
    await this.tasks.saveProgress(tx, task, now);
    return (task.status as PrivacyTaskRecord['status']) !== 'DONE';
  }

  private async exportStep(tx: EntityManager, task: PrivacyTaskRecord): Promise<void> {
    const section = this.participant.sections[task.section];
    if (section) {
      const page = await section.page(tx, task.subject, task.cursor, this.options.pageSize);
      const chunker = new ExportChunker(section.name);
      const chunks = page.items.map((item) => chunker.add(item)).filter((c) => c !== undefined);
      const last = chunker.flush();
      if (last) chunks.push(last);
      for (const chunk of chunks) {
        await this.reply(tx, task, {
          case: 'exportChunk',
          value: { sequence: task.sequence++, section: chunk.section, items: chunk.items },
        });
      }
      task.counts[section.name] = (task.counts[section.name] ?? 0) + page.items.length;
      task.cursor = page.next;
      if (page.next === null) task.section++;
      return;
    }
    const holds = await this.participant.legalHolds(tx, task.subject);
    await this.reply(tx, task, {
      case: 'exportDone',
      value: {
        chunks: task.sequence,
        counts: Object.fromEntries(
          this.participant.sections.map((s) => [s.name, BigInt(task.counts[s.name] ?? 0)]),
        ),
        legalHolds: holds.map((h) => ({ ...h, count: BigInt(h.count) })),
      },
    });
    task.status = 'DONE';
  }

  private async erasureStep(tx: EntityManager, task: PrivacyTaskRecord): Promise<void> {
    const batch = await this.participant.erase(
      tx,
      task.subject,
      this.options.pageSize,
      task.pseudonym ?? 'erased',
      task.orgId,
    );
    for (const [k, v] of Object.entries(batch.counts)) task.counts[k] = (task.counts[k] ?? 0) + v;
    if (batch.more) return;
    const holds = await this.participant.legalHolds(tx, task.subject);
    await this.reply(tx, task, {
      case: 'erasureDone',
      value: {
        counts: Object.fromEntries(Object.entries(task.counts).map(([k, v]) => [k, BigInt(v)])),
        legalHolds: holds.map((h) => ({ ...h, count: BigInt(h.count) })),
      },
    });
    task.status = 'DONE';
  }

  private async reply(
    tx: EntityManager,
    task: PrivacyTaskRecord,
    reply:
      | { case: 'exportChunk'; value: { sequence: number; section: string; items: string[] } }
      | {
          case: 'exportDone';
          value: {
            chunks: number;
            counts: Record<string, bigint>;
            legalHolds: { data: string; reason: string; count: bigint }[];
          };
        }
      | {
          case: 'erasureDone';
          value: {
            counts: Record<string, bigint>;
            legalHolds: { data: string; reason: string; count: bigint }[];
          };
        },
  ): Promise<void> {
    await this.outbox.add(tx, {
      topic: Topics.compliance.privacyReply,
      key: task.requestId,
      orgId: task.orgId,
      event: {
        requestId: task.requestId,
        orgId: task.orgId,
        service: this.options.service,
        reply,
      },
      time: this.clock.now(),
    });
  }
}
