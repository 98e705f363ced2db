import {
  Directive,
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { DEVICE_STATUSES, type DeviceStatus } from '../domain/device-status';
import { SIM_POLICIES, type SimPolicy } from '../domain/selection';

const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;

export const DeviceStatusEnum = enumOf(DEVICE_STATUSES);
registerEnumType(DeviceStatusEnum, {
  name: 'DeviceStatus',
  description:
    'ONLINE: in the pool. OFFLINE: not heard from. DISABLED: by the organization. QUARANTINED: by the platform after repeated failures. PENDING_APPROVAL: registered with a shared enrollment token, waiting for approveDevice.',
});

export const SimPolicyEnum = enumOf(SIM_POLICIES);
registerEnumType(SimPolicyEnum, {
  name: 'SimPolicy',
  description:
    'DEVICE_DEFAULT: the phone picks the SIM. BALANCED: Switchboard spreads messages over the SIMs by what each sent today.',
});

@ObjectType({ description: 'A SIM card of a device; the number is masked.' })
export class Sim {
  @Field(() => Int, { description: '1-based slot.' }) slot!: number;
  @Field(() => String, { nullable: true }) operator!: string | null;
  @Field(() => String, { nullable: true, description: 'All but the last four digits masked.' })
  maskedNumber!: string | null;
}

@ObjectType({ description: 'An Android phone of the organization, running SMSGate.' })
@Directive('@key(fields: "id")')
export class Device {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) manufacturer!: string | null;
  @Field(() => String, { nullable: true }) model!: string | null;
  @Field(() => String, { nullable: true }) appVersion!: string | null;
  @Field(() => DeviceStatusEnum) status!: DeviceStatus;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => GraphQLISODateTime) lastSeenAt!: Date;
  @Field(() => [Sim]) sims!: Sim[];
  @Field(() => Int, { description: 'Messages assigned to the device and not yet sent.' })
  queueDepth!: number;
  @Field(() => Int) sentCount!: number;
  @Field(() => Int) deliveredCount!: number;
  @Field(() => Int) failedCount!: number;
  @Field(() => Float, { description: '0–100, from recent outcomes.' }) healthScore!: number;
  @Field(() => Int, { description: 'SMS segments per minute the device is handed.' })
  sendRatePerMinute!: number;
  @Field(() => Int, { nullable: true, description: 'Segments per SIM per 24 h; null: none.' })
  dailyLimit!: number | null;
  @Field(() => SimPolicyEnum) simPolicy!: SimPolicy;
  @Field(() => String, { nullable: true }) quarantineReason!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@InputType()
export class DeviceFilter {
  @Field(() => [DeviceStatusEnum], { nullable: true }) status?: DeviceStatus[] | null;
  @Field(() => String, { nullable: true, description: 'Part of the name or model.' })
  search?: string | null;
}

@InputType()
export class UpdateDeviceInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => Boolean, {
    nullable: true,
    description:
      'false takes the device out of the pool; true puts it back (and lifts a quarantine).',
  })
  enabled?: boolean | null;
  @Field(() => Int, { nullable: true }) sendRatePerMinute?: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Segments per SIM per 24 h; 0 removes the cap.',
  })
  dailyLimit?: number | null;
  @Field(() => SimPolicyEnum, { nullable: true }) simPolicy?: SimPolicy | null;
}

/** The accounts service's organization, extended here with its devices. */
@ObjectType()
@Directive('@key(fields: "id")')
export class Organization {
  @Field(() => ID) id!: string;
}

@ObjectType({ description: "The organization's settings for its fleet." })
export class DeviceSettings {
  @Field(() => Boolean, {
    description:
      'A phone registered with a multi-use enrollment token waits for approveDevice (default true).',
  })
  requireApprovalForSharedEnrollments!: boolean;
}
