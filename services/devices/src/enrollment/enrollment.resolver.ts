import {
  Args,
  GraphQLISODateTime,
  ID,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { auditActorOf } from '@switchboard/events';
import { isUuid } from '@switchboard/tenancy';
import { DevicesErrorCode, DevicesException } from '../common/devices.exception';
import { Device } from '../fleet/device.model';
import { FleetService, type DeviceView } from '../fleet/fleet.service';
import { DeviceEnrollment, DeviceEnrollmentInfo } from './enrollment.model';
import { EnrollmentService } from './enrollment.service';

/** Enrollment tokens (owners: `devices:manage`). Thin: one service call per field. */
@Resolver(() => DeviceEnrollmentInfo)
export class EnrollmentResolver {
  constructor(
    private readonly enrollments: EnrollmentService,
    private readonly fleet: FleetService,
  ) {}

  @Scopes('devices:manage')
  @Query(() => [DeviceEnrollmentInfo])
  deviceEnrollments(@CurrentPrincipal() principal: Principal) {
    return this.enrollments.list(requireOrg(principal));
  }

  @Scopes('devices:manage')
  @Mutation(() => DeviceEnrollment, {
    description: 'A token and URL to type into the SMSGate app (Cloud server settings).',
  })
  async createDeviceEnrollment(
    @CurrentPrincipal() principal: Principal,
    @Args('name', { type: () => String, nullable: true }) name?: string | null,
    @Args('expiresAt', { type: () => GraphQLISODateTime, nullable: true })
    expiresAt?: Date | null,
    @Args('maxUses', {
      type: () => Int,
      nullable: true,
      description:
        'How many phones may register with the token (default 1). Phones from a shared token wait for approveDevice unless setDeviceSettings turned that off.',
    })
    maxUses?: number | null,
  ): Promise<DeviceEnrollment> {
    return this.enrollments.create(requireOrg(principal), auditActorOf(principal), {
      name,
      expiresAt,
      maxUses,
    });
  }

  @Scopes('devices:manage')
  @Mutation(() => Boolean, { description: 'Phones can no longer register with the token.' })
  async revokeDeviceEnrollment(
    @CurrentPrincipal() principal: Principal,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<boolean> {
    if (!isUuid(id)) {
      throw new DevicesException(DevicesErrorCode.ENROLLMENT_NOT_FOUND, 'No such enrollment');
    }
    await this.enrollments.revoke(requireOrg(principal), id, auditActorOf(principal));
    return true;
  }

  @Scopes('devices:manage')
  @ResolveField(() => [Device], { description: 'The phones registered with this token.' })
  devices(
    @Parent() enrollment: DeviceEnrollmentInfo,
    @CurrentPrincipal() principal: Principal,
  ): Promise<DeviceView[]> {
    return this.fleet.byEnrollment(requireOrg(principal), enrollment.id);
  }
}
