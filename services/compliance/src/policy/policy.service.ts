import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inTenantTransaction, type SqlRunner, TenantRepository } from '@switchboard/tenancy';
import { Clock } from '@switchboard/service-kit';
import type { Actor } from '../common/actor';
import { ComplianceErrorCode, ComplianceException } from '../common/compliance.exception';
import { ComplianceEventsWriter } from '../common/compliance-events.writer';
import { applyPolicyChange, DEFAULT_POLICY, type PolicyChange } from '../domain/policy';
import type { PolicyRecord } from './policy.record';
import { PolicyRepository } from './policy.repository';

const actorName = (actor: Actor) => `${actor.kind}:${actor.id}`;

/**
 * Each organization's compliance policy. Every version is published on the compacted
 * compliance.policy.v1 (messaging, devices and the retention jobs read it from there) and
 * every change by a person is an audit entry.
 */
@Injectable()
export class PolicyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly policies: PolicyRepository,
    private readonly tenants: TenantRepository,
    private readonly events: ComplianceEventsWriter,
    private readonly clock: Clock,
  ) {}

  /**
   * The organization's policy in `tx`; the first time, the defaults are stored and published
   * (version 1).
   */
  async ensure(tx: SqlRunner, orgId: string): Promise<PolicyRecord> {
    const found = await this.policies.find(tx, orgId);
    if (found) return found;
    const at = this.clock.now();
    // The tenant first, then the policy: the order the organization consumer takes them in
    // (register, then ensure). Two first sights at once (the consumer and a request) then queue
    // on the tenant row and one inserts, the other reads it; in the opposite orders they
    // deadlocked (the request failed with "deadlock detected").
    await this.tenants.register(tx, orgId);
    const inserted = await this.policies.insertFirst(
      tx,
      orgId,
      DEFAULT_POLICY,
      at,
      'service:compliance',
    );
    if (!inserted) return (await this.policies.find(tx, orgId))!;
    await this.events.policy(tx, orgId, inserted, inserted.version, at);
    return inserted;
  }

  get(orgId: string): Promise<PolicyRecord> {
    return inTenantTransaction(this.dataSource, orgId, (tx) => this.ensure(tx, orgId));
  }

  /** Applies a change (validated: INVALID_POLICY), publishes the new version, audits it. */
  update(orgId: string, change: PolicyChange, actor: Actor): Promise<PolicyRecord> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if (await this.tenants.isClosed(tx, orgId)) {
        throw new ComplianceException(
          ComplianceErrorCode.ORGANIZATION_CLOSED,
          'The organization is closed; its policy no longer changes',
        );
      }
      await this.ensure(tx, orgId);
      const current = (await this.policies.find(tx, orgId, true))!;
      const { settings, changed, problems } = applyPolicyChange(current, change);
      if (problems.length > 0) {
        throw new ComplianceException(ComplianceErrorCode.INVALID_POLICY, problems.join('; '));
      }
      if (changed.length === 0) return current;
      const at = this.clock.now();
      const saved = await this.policies.save(
        tx,
        orgId,
        settings,
        current.version + 1,
        at,
        actorName(actor),
      );
      await this.events.policy(tx, orgId, saved, saved.version, at);
      await this.events.audit(tx, orgId, {
        actor,
        action: 'compliance_policy.update',
        resourceType: 'compliance_policy',
        resourceId: orgId,
        metadata: { fields: changed.join(','), version: String(saved.version) },
        occurredAt: at,
      });
      return saved;
    });
  }
}
