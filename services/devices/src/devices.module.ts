import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AUDIT_SINK } from '@switchboard/auth';
import { OutboxAuditSink } from '@switchboard/events';
import { RateLimiter } from '@switchboard/rate-limit';
import { Clock } from '@switchboard/service-kit';
import { TenantRepository } from '@switchboard/tenancy';
import { CredentialRepository } from './common/credential.repository';
import { DeviceEventsWriter } from './common/device-events.writer';
import { DispatchConsumer } from './dispatch/dispatch.consumer';
import { DispatchService } from './dispatch/dispatch.service';
import { EnrollmentRepository } from './enrollment/enrollment.repository';
import { EnrollmentResolver } from './enrollment/enrollment.resolver';
import { EnrollmentService } from './enrollment/enrollment.service';
import { DeviceStatusService } from './fleet/device-status.service';
import { FleetRepository } from './fleet/fleet.repository';
import { DevicesResolver, OrganizationDevicesResolver } from './fleet/fleet.resolver';
import { FleetService } from './fleet/fleet.service';
import { HandoutService } from './handout/handout.service';
import { DeviceHooksController } from './inbound/device-hooks.controller';
import { InboundRepository } from './inbound/inbound.repository';
import { InboundService } from './inbound/inbound.service';
import { DeviceAuthGuard } from './mobile-api/device-auth.guard';
import { MobileController } from './mobile-api/mobile.controller';
import { OrganizationConsumer } from './organizations/organization.consumer';
import { OrganizationRepository } from './organizations/organization.repository';
import { OrganizationService } from './organizations/organization.service';
import { DeviceWakeups } from './presence/device-wakeups';
import { FleetSweeper } from './presence/fleet-sweeper.job';
import { AssignmentService } from './queue/assignment.service';
import { QueueRepository } from './queue/queue.repository';
import { RegistrationService } from './registration/registration.service';

/** The devices features: repositories, services, and their transports. */
@Module({
  controllers: [MobileController, DeviceHooksController],
  providers: [
    {
      // Registrations per IP and token, device API requests per device (libs/rate-limit).
      provide: RateLimiter,
      inject: [DataSource, Clock],
      useFactory: (dataSource: DataSource, clock: Clock) => new RateLimiter(dataSource, clock),
    },
    TenantRepository,
    CredentialRepository,
    FleetRepository,
    QueueRepository,
    EnrollmentRepository,
    InboundRepository,
    OrganizationRepository,
    DeviceEventsWriter,
    // Platform admins' reads (`@PlatformAdminOperation`) are audited through the outbox.
    { provide: AUDIT_SINK, useClass: OutboxAuditSink },
    DeviceWakeups,
    AssignmentService,
    DeviceStatusService,
    FleetService,
    RegistrationService,
    EnrollmentService,
    DispatchService,
    HandoutService,
    InboundService,
    OrganizationService,
    FleetSweeper,
    DispatchConsumer,
    OrganizationConsumer,
    DeviceAuthGuard,
    // Before DevicesResolver: resolver order is the order of the Mutation fields in the SDL.
    EnrollmentResolver,
    DevicesResolver,
    OrganizationDevicesResolver,
  ],
})
export class DevicesModule {}
