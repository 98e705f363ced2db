import type { CarrierKind } from '../domain/carrier-errors';

/** A row of `carrier_accounts` (credentials still sealed). */
export interface CarrierAccountRecord {
  id: string;
  orgId: string;
  kind: CarrierKind;
  name: string;
  /** The sealed credentials (`v1.<key id>.…`); opened only to send or verify a callback. */
  sealedCredentials: string;
  credentialsKeyId: string;
  /** What the API may show of the credentials, e.g. `AC…1234`. */
  credentialHint: string;
  stickySender: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A row of `carrier_numbers`. */
export interface CarrierNumberRecord {
  id: string;
  orgId: string;
  carrierAccountId: string;
  /** E.164. */
  number: string;
  sms: boolean;
  mms: boolean;
  createdAt: Date;
}

/** A row of `carrier_dispatch_queue`, as the worker claims it. */
export interface QueuedCarrierSend {
  messageId: string;
  attempt: number;
  tenantId: string;
  routeId: string;
  carrierAccountId: string;
  /** Tries made so far (transient failures). */
  tries: number;
}
