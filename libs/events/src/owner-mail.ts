import { createHash, randomUUID } from 'node:crypto';
import { accountsV1, Topics } from '@switchboard/contracts';
import type { EventDraft } from './outbox';

/** The templates a service may send an organization's owners (accounts.email.v1). */
export type OwnerMailTemplate = 'WEBHOOK_ENDPOINT_DISABLED' | 'LOW_BALANCE' | 'OWNER_NOTICE';

/**
 * A mail to the owners of `orgId`, for the outbox (`outbox.add(tx, ownerMailDraft(...))`): a
 * service that knows an organization but not its people tells its owners this way, and accounts'
 * mail sender resolves the addresses when it sends. `id` makes the request idempotent (e.g.
 * derived from what happened, so a retried transaction asks once). Variables are the template's
 * (see accounts/v1/email.proto); they may hold personal data and are never logged.
 */
export function ownerMailDraft(mail: {
  orgId: string;
  template: OwnerMailTemplate;
  variables: Record<string, string>;
  id?: string;
}): EventDraft<typeof accountsV1.EmailRequestedSchema> {
  const id = mail.id ?? randomUUID();
  return {
    topic: Topics.accounts.email,
    key: createHash('sha256').update(`owners:${mail.orgId}`).digest('hex'),
    subject: id,
    orgId: mail.orgId,
    id,
    event: {
      requestId: id,
      orgId: mail.orgId,
      to: '',
      toOrganizationOwners: true,
      template: accountsV1.EmailTemplate[mail.template],
      variables: mail.variables,
      locale: 'en',
    },
  };
}
