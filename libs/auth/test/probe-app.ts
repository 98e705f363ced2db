import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Controller, Get, Param, type INestApplication } from '@nestjs/common';
import { Args, Field, GraphQLModule, ID, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Test } from '@nestjs/testing';
import {
  CommonErrorCode,
  CommonException,
  formatGraphQLError,
  ProblemDetailsFilter,
} from '@switchboard/errors';
import {
  AccessReasonArg,
  AUDIT_SINK,
  AuthModule,
  CurrentPrincipal,
  graphqlContext,
  PlatformAdminOperation,
  principalId,
  Public,
  requireOrg,
  Roles,
  Scopes,
  type AuditEntry,
  type AuditSink,
  type AuthOptions,
  type Principal,
} from '../src';

export const MISSING_ORG = '00000000-0000-4000-8000-000000000000';

@ObjectType()
class Viewer {
  @Field(() => String) kind!: string;
  @Field(() => String) id!: string;
  @Field(() => String, { nullable: true }) orgId?: string;
}

@ObjectType()
class Organization {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
}

function findOrganization(id: string): Organization {
  if (id === MISSING_ORG)
    throw new CommonException(CommonErrorCode.NOT_FOUND, 'No such organization');
  return { id, name: 'Acme' };
}

@Resolver()
class ProbeResolver {
  @Query(() => Viewer)
  viewer(@CurrentPrincipal() principal: Principal): Viewer {
    return { kind: principal.kind, id: principalId(principal), orgId: requireOrg(principal) };
  }

  @Public()
  @Query(() => String)
  ping(): string {
    return 'pong';
  }

  @Scopes('devices:manage')
  @Query(() => Int)
  deviceCount(@CurrentPrincipal() principal: Principal): number {
    requireOrg(principal);
    return 3;
  }

  @Roles('CUSTOMER')
  @Query(() => String)
  ownerArea(): string {
    return 'owner';
  }

  @PlatformAdminOperation('organization.read')
  @Query(() => Organization)
  organization(
    @Args('id', { type: () => ID }) id: string,
    @AccessReasonArg() _reason?: string,
  ): Organization {
    return findOrganization(id);
  }
}

@Controller('probe')
class ProbeController {
  @Get('viewer')
  viewer(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Public()
  @Get('health')
  health(): { status: string } {
    return { status: 'ok' };
  }

  @Scopes('devices:manage')
  @Get('devices')
  devices(): { count: number } {
    return { count: 3 };
  }

  @PlatformAdminOperation('organization.read')
  @Get('organizations/:id')
  organization(@Param('id') id: string): Organization {
    return findOrganization(id);
  }
}

/** The port a service implements with its outbox; here, a list. */
export class MemoryAuditSink implements AuditSink {
  readonly entries: AuditEntry[] = [];

  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(entry);
  }
}

/** A tiny service: one controller and one resolver behind AuthModule, on a free port. */
export async function startProbeApp(
  options: AuthOptions,
  sink: AuditSink,
): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      AuthModule.forRoot(options),
      GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        autoSchemaFile: true,
        context: graphqlContext,
        formatError: formatGraphQLError,
      }),
    ],
    controllers: [ProbeController],
    providers: [ProbeResolver, { provide: AUDIT_SINK, useValue: sink }],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.useGlobalFilters(new ProblemDetailsFilter());
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}
