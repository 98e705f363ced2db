import { Args, Field, Float, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, requireOrg, Scopes, type Principal } from '@switchboard/auth';
import { MessageStatsService } from './message-stats.service';

@ObjectType('MessageDayStats', {
  description: 'Outbound messages created on one UTC day, by outcome (their status now).',
})
export class MessageDayStatsModel {
  @Field({ description: 'YYYY-MM-DD (UTC).' })
  day!: string;
  @Field(() => Int)
  delivered!: number;
  @Field(() => Int, { description: 'Sent, no delivery receipt (yet).' })
  sent!: number;
  @Field(() => Int, { description: 'Queued, scheduled or handed to a route, not sent yet.' })
  pending!: number;
  @Field(() => Int, { description: 'Failed, rejected or expired.' })
  failed!: number;
  @Field(() => Int, { description: 'Every send of the day (canceled ones are not sends).' })
  total!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'delivered ÷ (delivered + failed); null when no send has a known outcome.',
  })
  deliveryRate!: number | null;
}

/** GraphQL: thin, one service call; the caller's organization only. */
@Resolver(() => MessageDayStatsModel)
export class MessageStatsResolver {
  constructor(private readonly stats: MessageStatsService) {}

  @Scopes('messages:read')
  @Query(() => [MessageDayStatsModel], {
    description:
      'Your sends per day (the last `days` UTC days, today included, oldest first) by outcome, with the delivery rate: what the console charts.',
  })
  messageStats(
    @CurrentPrincipal() principal: Principal,
    @Args('days', { type: () => Int, defaultValue: 7 }) days: number,
  ): Promise<MessageDayStatsModel[]> {
    return this.stats.daily(requireOrg(principal), days);
  }
}
