import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type AuditRecord, OutboxWriter } from '@switchboard/events';
import { Clock, SecretKeyring } from '@switchboard/service-kit';
import { inTenantTransaction } from '@switchboard/tenancy';
import { MessagingErrorCode, MessagingException } from '../common/messaging.exception';
import { MESSAGING_CONFIG, type MessagingConfig } from '../config';
import {
  checkCredentials,
  credentialHint,
  type CarrierCredentials,
  type CredentialsInput,
} from '../domain/carrier-credentials';
import type { CarrierKind } from '../domain/carrier-errors';
import { normalizePhoneNumber } from '../domain/phone-number';
import type { CarrierAccountSecrets, CarrierCheckResult } from './carrier';
import type { CarrierAccountRecord, CarrierNumberRecord } from './carrier.record';
import { CarriersRepository } from './carriers.repository';
import { TelnyxAdapter } from './telnyx/telnyx.adapter';
import { TwilioAdapter } from './twilio/twilio.adapter';

export type AuditActor = AuditRecord['actor'];

const MAX_ACCOUNTS = 20;
const MAX_NAME = 100;

const accountNotFound = () =>
  new MessagingException(MessagingErrorCode.CARRIER_ACCOUNT_NOT_FOUND, 'No such carrier account');
const invalid = (message: string) =>
  new MessagingException(MessagingErrorCode.INVALID_CARRIER_ACCOUNT, message);

/** The URLs a carrier account's callbacks come to (configured at the vendor for inbound). */
export interface CarrierCallbackUrls {
  /** Twilio: the per-message StatusCallback; Telnyx: the per-message webhook_url. */
  status: string;
  /** Where the vendor posts inbound messages (the number's / profile's webhook). */
  inbound: string;
}

export interface CarrierAccountView {
  account: CarrierAccountRecord;
  numbers: CarrierNumberRecord[];
  callbackUrls: CarrierCallbackUrls;
}

/**
 * An organization's carrier accounts and their sender numbers. Credentials are sealed with
 * the service's keyring (AES-256-GCM, key id kept for rotation, bound to the row and column)
 * and never leave this class except, opened, to an adapter or a signature check.
 */
@Injectable()
export class CarrierAccountsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGING_CONFIG) private readonly config: MessagingConfig,
    private readonly carriers: CarriersRepository,
    private readonly keyring: SecretKeyring,
    private readonly twilio: TwilioAdapter,
    private readonly telnyx: TelnyxAdapter,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async create(
    orgId: string,
    actor: AuditActor,
    input: { kind: CarrierKind; name: string; stickySender?: boolean | null } & CredentialsInput,
  ): Promise<CarrierAccountView> {
    const name = input.name.trim();
    if (!name || name.length > MAX_NAME) throw invalid(`name must be 1–${MAX_NAME} characters`);
    const checked = checkCredentials(input.kind, input);
    if ('problem' in checked) throw invalid(checked.problem);
    const id = randomUUID();
    const sealed = this.keyring.seal(JSON.stringify(checked.credentials), associatedData(id));
    const account = await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if ((await this.carriers.listAccounts(tx)).length >= MAX_ACCOUNTS) {
        throw invalid(`An organization has at most ${MAX_ACCOUNTS} carrier accounts`);
      }
      const now = this.clock.now();
      const created = await this.carriers.insertAccount(tx, {
        id,
        orgId,
        kind: input.kind,
        name,
        sealedCredentials: sealed,
        credentialsKeyId: this.keyring.keyIdOf(sealed),
        credentialHint: credentialHint(checked.credentials),
        stickySender: input.stickySender ?? false,
        now,
      });
      await this.audit(tx, actor, orgId, 'carrier_account.create', id, now, { kind: input.kind });
      return created;
    });
    return this.view(account, []);
  }

  async list(orgId: string): Promise<CarrierAccountView[]> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const accounts = await this.carriers.listAccounts(tx);
      const numbers = await this.carriers.listNumbers(tx);
      return accounts.map((a) =>
        this.view(
          a,
          numbers.filter((n) => n.carrierAccountId === a.id),
        ),
      );
    });
  }

  async delete(orgId: string, actor: AuditActor, id: string): Promise<boolean> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if (!(await this.carriers.deleteAccount(tx, id))) throw accountNotFound();
      await this.audit(tx, actor, orgId, 'carrier_account.delete', id, this.clock.now());
      return true;
    });
  }

  async addNumber(
    orgId: string,
    actor: AuditActor,
    input: { carrierAccountId: string; number: string; sms?: boolean | null; mms?: boolean | null },
  ): Promise<CarrierNumberRecord> {
    const parsed = normalizePhoneNumber(input.number, this.config.DEFAULT_COUNTRY);
    if (!parsed.ok) {
      throw new MessagingException(MessagingErrorCode.INVALID_NUMBER, `number: ${parsed.reason}`);
    }
    const sms = input.sms ?? true;
    const mms = input.mms ?? false;
    if (!sms && !mms) throw invalid('A sender number must be able to send SMS or MMS');
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if (!(await this.carriers.findAccount(tx, input.carrierAccountId))) throw accountNotFound();
      const now = this.clock.now();
      const created = await this.carriers.insertNumber(tx, {
        id: randomUUID(),
        orgId,
        carrierAccountId: input.carrierAccountId,
        number: parsed.e164,
        sms,
        mms,
        createdAt: now,
      });
      if (!created) {
        throw new MessagingException(
          MessagingErrorCode.CARRIER_NUMBER_TAKEN,
          'The number already belongs to a carrier account',
        );
      }
      await this.audit(tx, actor, orgId, 'carrier_number.add', created.id, now, {
        carrierAccountId: input.carrierAccountId,
      });
      return created;
    });
  }

  async removeNumber(orgId: string, actor: AuditActor, id: string): Promise<boolean> {
    return inTenantTransaction(this.dataSource, orgId, async (tx) => {
      if (!(await this.carriers.deleteNumber(tx, id))) {
        throw new MessagingException(
          MessagingErrorCode.CARRIER_NUMBER_NOT_FOUND,
          'No such carrier number',
        );
      }
      await this.audit(tx, actor, orgId, 'carrier_number.remove', id, this.clock.now());
      return true;
    });
  }

  /** Asks the vendor whether the account's credentials work (read-only; nothing is written). */
  async test(orgId: string, id: string): Promise<CarrierCheckResult> {
    const secrets = await inTenantTransaction(this.dataSource, orgId, async (tx) => {
      const opened = await this.secretsOf(tx, id);
      if (!opened) throw accountNotFound();
      return opened.secrets;
    });
    return (secrets.kind === 'TWILIO' ? this.twilio : this.telnyx).check(secrets);
  }

  /**
   * The account (in the caller's tenant transaction) with its opened credentials; credentials
   * sealed with an old key are re-sealed with the current one on the way.
   */
  async secretsOf(
    tx: EntityManager,
    accountId: string,
  ): Promise<{ account: CarrierAccountRecord; secrets: CarrierAccountSecrets } | undefined> {
    const account = await this.carriers.findAccount(tx, accountId);
    if (!account) return undefined;
    const secrets = this.open(account);
    if (this.keyring.isStale(account.sealedCredentials)) {
      // Sealed with a key that is no longer current (rotation): re-sealed on first use, so
      // the old key can leave the ring once no row names it (`credentials_key_id`).
      const sealed = this.keyring.seal(JSON.stringify(secrets), associatedData(account.id));
      const keyId = this.keyring.keyIdOf(sealed);
      await this.carriers.resealCredentials(tx, account.id, sealed, keyId, this.clock.now());
      return {
        account: { ...account, sealedCredentials: sealed, credentialsKeyId: keyId },
        secrets,
      };
    }
    return { account, secrets };
  }

  open(account: CarrierAccountRecord): CarrierAccountSecrets {
    const credentials = JSON.parse(
      this.keyring.open(account.sealedCredentials, associatedData(account.id)),
    ) as CarrierCredentials;
    return credentials;
  }

  callbackUrls(account: Pick<CarrierAccountRecord, 'id' | 'orgId' | 'kind'>): CarrierCallbackUrls {
    const base = `${this.config.CARRIER_CALLBACK_BASE_URL}/api/carrier-hooks`;
    if (account.kind === 'TWILIO') {
      const prefix = `${base}/twilio/${account.orgId}/${account.id}`;
      return { status: `${prefix}/status`, inbound: `${prefix}/inbound` };
    }
    const url = `${base}/telnyx/${account.orgId}/${account.id}`;
    return { status: url, inbound: url };
  }

  private view(account: CarrierAccountRecord, numbers: CarrierNumberRecord[]): CarrierAccountView {
    return { account, numbers, callbackUrls: this.callbackUrls(account) };
  }

  private async audit(
    tx: EntityManager,
    actor: AuditActor,
    orgId: string,
    action: string,
    resourceId: string,
    occurredAt: Date,
    metadata?: Record<string, string>,
  ): Promise<void> {
    await this.outbox.audit(tx, {
      actor,
      action,
      orgId,
      resourceType: action.startsWith('carrier_number') ? 'carrier_number' : 'carrier_account',
      resourceId,
      outcome: 'success',
      occurredAt,
      metadata,
    });
  }
}

/** Binds sealed credentials to their row: a ciphertext moved to another row does not open. */
function associatedData(accountId: string): string {
  return `carrier_accounts:${accountId}:credentials`;
}
