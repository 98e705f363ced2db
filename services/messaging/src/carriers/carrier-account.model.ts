import {
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { CARRIER_KINDS, type CarrierKind } from '../domain/carrier-errors';
import type { CarrierCheckResult } from './carrier';
import type { CarrierAccountView } from './carrier-accounts.service';
import type { CarrierNumberRecord } from './carrier.record';

export const CarrierKindEnum = Object.fromEntries(CARRIER_KINDS.map((k) => [k, k])) as Record<
  CarrierKind,
  CarrierKind
>;
registerEnumType(CarrierKindEnum, { name: 'CarrierKind', description: 'TWILIO or TELNYX.' });

@ObjectType('CarrierNumber', {
  description: "A sender number of an organization's carrier account.",
})
export class CarrierNumberModel {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  carrierAccountId!: string;

  @Field(() => String, { description: 'E.164.' })
  number!: string;

  @Field(() => Boolean, { description: 'May send SMS.' })
  sms!: boolean;

  @Field(() => Boolean, { description: 'May send MMS.' })
  mms!: boolean;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@ObjectType('CarrierAccount', {
  description:
    'A Twilio or Telnyx account of the organization. Its credentials are write-only: after creation only a hint is shown.',
})
export class CarrierAccountModel {
  @Field(() => ID)
  id!: string;

  @Field(() => CarrierKindEnum)
  kind!: CarrierKind;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'The account SID or API key, shortened (e.g. AC…1234).' })
  credentialHint!: string;

  @Field(() => Boolean, {
    description: 'Send to a contact from the number last used for them (sticky sender).',
  })
  stickySender!: boolean;

  @Field(() => String, {
    description:
      'Where the carrier reports message statuses (set on every message sent; Telnyx: also the messaging profile webhook).',
  })
  statusCallbackUrl!: string;

  @Field(() => String, {
    description:
      "Where the carrier must post inbound messages: set it as the numbers' (Twilio) or the messaging profile's (Telnyx) webhook URL.",
  })
  inboundWebhookUrl!: string;

  @Field(() => [CarrierNumberModel])
  numbers!: CarrierNumberModel[];

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@InputType()
export class TwilioCredentialsInput {
  @Field(() => String, { description: 'AC… (34 characters).' })
  accountSid!: string;

  @Field(() => String)
  authToken!: string;

  @Field(() => String, { nullable: true, description: 'MG…: send through this Messaging Service.' })
  messagingServiceSid?: string | null;
}

@InputType()
export class TelnyxCredentialsInput {
  @Field(() => String)
  apiKey!: string;

  @Field(() => String, {
    description: "Base64 of the account's Ed25519 public key (verifies Telnyx's webhooks).",
  })
  webhookPublicKey!: string;

  @Field(() => String, { nullable: true })
  messagingProfileId?: string | null;
}

@InputType()
export class CreateCarrierAccountInput {
  @Field(() => CarrierKindEnum)
  kind!: CarrierKind;

  @Field(() => String)
  name!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  stickySender?: boolean | null;

  @Field(() => TwilioCredentialsInput, { nullable: true })
  twilio?: TwilioCredentialsInput | null;

  @Field(() => TelnyxCredentialsInput, { nullable: true })
  telnyx?: TelnyxCredentialsInput | null;
}

@InputType()
export class AddCarrierNumberInput {
  @Field(() => ID)
  carrierAccountId!: string;

  @Field(() => String)
  number!: string;

  @Field(() => Boolean, { nullable: true, defaultValue: true })
  sms?: boolean | null;

  @Field(() => Boolean, { nullable: true, defaultValue: false })
  mms?: boolean | null;
}

export function toCarrierNumberModel(n: CarrierNumberRecord): CarrierNumberModel {
  return {
    id: n.id,
    carrierAccountId: n.carrierAccountId,
    number: n.number,
    sms: n.sms,
    mms: n.mms,
    createdAt: n.createdAt,
  };
}

/** Never the sealed credentials: only what the model declares. */
export function toCarrierAccountModel(view: CarrierAccountView): CarrierAccountModel {
  const { account } = view;
  return {
    id: account.id,
    kind: account.kind,
    name: account.name,
    credentialHint: account.credentialHint,
    stickySender: account.stickySender,
    statusCallbackUrl: view.callbackUrls.status,
    inboundWebhookUrl: view.callbackUrls.inbound,
    numbers: view.numbers.map(toCarrierNumberModel),
    createdAt: account.createdAt,
  };
}

@ObjectType('CarrierAccountTestResult', {
  description: "The vendor's answer to a read-only call with the account's credentials.",
})
export class CarrierAccountTestResultModel {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => String, { nullable: true, description: 'Our error code (e.g. AUTH_FAILED).' })
  errorCode!: string | null;

  @Field(() => String, { nullable: true, description: "The vendor's code, unchanged." })
  rawCode!: string | null;

  @Field(() => String, { nullable: true, description: "The vendor's text, unchanged." })
  rawMessage!: string | null;
}

export function toCarrierAccountTestResult(
  result: CarrierCheckResult,
): CarrierAccountTestResultModel {
  return result.ok
    ? { ok: true, errorCode: null, rawCode: null, rawMessage: null }
    : {
        ok: false,
        errorCode: result.error.code,
        rawCode: result.error.rawCode,
        rawMessage: result.error.rawText,
      };
}
