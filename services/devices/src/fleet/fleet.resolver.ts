import { Inject } from '@nestjs/common';
import {
  Args,
  Context,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  ResolveReference,
} from '@nestjs/graphql';
import {
  AccessReasonArg,
  CurrentPrincipal,
  FederationCaller,
  PlatformAdminOperation,
  requireOrg,
  Scopes,
  type GraphQLRequestContext,
  type Principal,
} from '@switchboard/auth';
import { z } from '@switchboard/config';
import { CommonErrorCode, CommonException } from '@switchboard/errors';
import { auditActorOf } from '@switchboard/events';
import { isUuid } from '@switchboard/tenancy';
import { DEVICES_CONFIG, type DevicesConfig } from '../config';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import { parseInput } from '../common/validation';
import { SIM_POLICIES } from '../domain/selection';
import {
  Device,
  DeviceFilter,
  DeviceSettings,
  Organization,
  UpdateDeviceInput,
} from './device.model';
import { FleetService, type DeviceView } from './fleet.service';

/** Members read the fleet; phones (device principals) don't use GraphQL. */
export function readerOrg(principal: Principal): string {
  if (principal.kind === 'device') {
    throw new CommonException(CommonErrorCode.FORBIDDEN, 'Devices cannot read the fleet');
  }
  return requireOrg(principal);
}

function deviceId(id: string): string {
  if (!isUuid(id)) throw new DevicesException(DevicesErrorCode.DEVICE_NOT_FOUND, 'No such device');
  return id.toLowerCase();
}

/**
 * Fleet management. Thin: one service call per field. Reading needs `devices:read` (members and
 * owners have it; `devices:manage` implies it); changing needs `devices:manage` (owners;
 * members do not have it).
 */
@Resolver(() => Device)
export class DevicesResolver {
  constructor(
    @Inject(DEVICES_CONFIG) private readonly config: DevicesConfig,
    private readonly fleet: FleetService,
    private readonly caller: FederationCaller,
  ) {}

  @Scopes('devices:read')
  @Query(() => [Device], { description: "The organization's devices (not removed ones)." })
  devices(
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => DeviceFilter, nullable: true }) filter?: DeviceFilter | null,
  ): Promise<DeviceView[]> {
    return this.fleet.list(readerOrg(principal), filter ?? {});
  }

  @PlatformAdminOperation('device.list', { targetOrgArg: 'orgId', resourceType: 'device' })
  @Query(() => [Device], {
    description: "Platform admins: an organization's devices. Needs a reason; audited.",
  })
  adminDevices(
    @Args('orgId', { type: () => ID }) orgId: string,
    @AccessReasonArg() _reason?: string,
    @Args('filter', { type: () => DeviceFilter, nullable: true }) filter?: DeviceFilter | null,
  ): Promise<DeviceView[]> {
    if (!isUuid(orgId)) return Promise.resolve([]);
    return this.fleet.list(orgId.toLowerCase(), filter ?? {});
  }

  @Scopes('devices:read')
  @Query(() => Device, { nullable: true })
  device(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DeviceView | null> {
    const orgId = readerOrg(principal);
    return isUuid(id) ? this.fleet.get(orgId, id) : Promise.resolve(null);
  }

  @Scopes('devices:manage')
  @Mutation(() => Device)
  async updateDevice(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input', { type: () => UpdateDeviceInput }) input: UpdateDeviceInput,
  ): Promise<DeviceView> {
    const orgId = requireOrg(principal);
    const change = parseInput(
      z.object({
        name: z.string().trim().min(1).max(128).nullish(),
        enabled: z.boolean().nullish(),
        sendRatePerMinute: z
          .number()
          .int()
          .min(1)
          .max(this.config.MAX_SEND_RATE_PER_MINUTE)
          .nullish(),
        dailyLimit: z.number().int().min(0).max(1_000_000).nullish(),
        simPolicy: z.enum(SIM_POLICIES).nullish(),
      }),
      { ...input },
      'device settings',
    );
    await this.fleet.update(orgId, deviceId(id), auditActorOf(principal), {
      name: change.name ?? undefined,
      enabled: change.enabled ?? undefined,
      sendRatePerMinute: change.sendRatePerMinute ?? undefined,
      dailyLimit:
        change.dailyLimit === undefined || change.dailyLimit === null
          ? undefined
          : change.dailyLimit === 0
            ? null
            : change.dailyLimit,
      simPolicy: change.simPolicy ?? undefined,
    });
    return (await this.fleet.get(orgId, deviceId(id)))!;
  }

  @Scopes('devices:manage')
  @Mutation(() => Device, {
    description: 'A phone from a shared enrollment token (PENDING_APPROVAL) joins the pool.',
  })
  async approveDevice(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<DeviceView> {
    const orgId = requireOrg(principal);
    await this.fleet.approve(orgId, deviceId(id), auditActorOf(principal));
    return (await this.fleet.get(orgId, deviceId(id)))!;
  }

  @Scopes('devices:manage')
  @Mutation(() => Boolean, {
    description: 'Removes a phone waiting for approval; its token stops working.',
  })
  async rejectDevice(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    await this.fleet.reject(requireOrg(principal), deviceId(id), auditActorOf(principal));
    return true;
  }

  @Scopes('devices:manage')
  @Query(() => DeviceSettings, { description: "The organization's fleet settings." })
  deviceSettings(@CurrentPrincipal() principal: Principal): Promise<DeviceSettings> {
    return this.fleet.settings(requireOrg(principal));
  }

  @Scopes('devices:manage')
  @Mutation(() => DeviceSettings)
  setDeviceSettings(
    @CurrentPrincipal() principal: Principal,
    @Args('requireApprovalForSharedEnrollments', { type: () => Boolean })
    requireApprovalForSharedEnrollments: boolean,
  ): Promise<DeviceSettings> {
    return this.fleet.saveSettings(
      requireOrg(principal),
      { requireApprovalForSharedEnrollments },
      auditActorOf(principal),
    );
  }

  @Scopes('devices:manage')
  @Mutation(() => Boolean, { description: "Revokes the device's token and releases its queue." })
  async removeDevice(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    await this.fleet.remove(requireOrg(principal), deviceId(id), auditActorOf(principal));
    return true;
  }

  /**
   * Federation: another subgraph refers to a Device by id; only the caller's own resolve.
   * `_entities` is not a Nest-guarded field: the FederationCaller authenticates.
   */
  @ResolveReference()
  async resolveReference(
    @Parent() reference: { __typename: string; id: string },
    @Context() context?: GraphQLRequestContext,
  ): Promise<DeviceView | null> {
    const principal = await this.caller.principal(context?.req);
    if (!principal || principal.kind === 'service' || principal.kind === 'device') return null;
    return isUuid(reference.id) ? this.fleet.get(principal.orgId, reference.id) : null;
  }
}

/** `Organization.devices`: the organization entity of accounts, extended here. */
@Resolver(() => Organization)
export class OrganizationDevicesResolver {
  constructor(private readonly fleet: FleetService) {}

  @ResolveReference()
  resolveReference(reference: { __typename: string; id: string }): Organization {
    return { id: reference.id };
  }

  @Scopes('devices:read')
  @ResolveField(() => [Device])
  devices(
    @Parent() organization: Organization,
    @CurrentPrincipal() principal: Principal,
    @Args('filter', { type: () => DeviceFilter, nullable: true }) filter?: DeviceFilter | null,
  ): Promise<DeviceView[]> {
    const orgId = readerOrg(principal);
    if (organization.id.toLowerCase() !== orgId) {
      throw new CommonException(CommonErrorCode.FORBIDDEN, 'Not your organization');
    }
    return this.fleet.list(orgId, filter ?? {});
  }
}
