import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { encodeKeysetCursor, PageInfo, type Page } from '@switchboard/service-kit';
import type { RequestLogRecord } from './request-log.record';

@ObjectType('GhlRequest', {
  description: 'One request ghl-sync made to GHL (no bodies, tokens or phone numbers).',
})
export class GhlRequestModel {
  @Field(() => ID) id!: string;
  @Field(() => String, { nullable: true }) locationId!: string | null;
  @Field({
    description: 'What it was for: oauth.token.refresh_token, conversations.messageStatus, …',
  })
  operation!: string;
  @Field() method!: string;
  @Field() path!: string;
  @Field(() => Int, {
    nullable: true,
    description: "GHL's HTTP status; null when GHL was not reached.",
  })
  status!: number | null;
  @Field(() => Int) durationMs!: number;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Date) at!: Date;
}

@ObjectType()
export class GhlRequestEdge {
  @Field(() => GhlRequestModel) node!: GhlRequestModel;
  @Field() cursor!: string;
}

@ObjectType()
export class GhlRequestConnection {
  @Field(() => [GhlRequestEdge]) edges!: GhlRequestEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType('GhlConnectionTest', { description: 'The result of testGhlConnection.' })
export class GhlConnectionTestModel {
  @Field({ description: 'GHL answered with the location token (refreshed first if needed).' })
  ok!: boolean;
  @Field(() => Int, { nullable: true }) status!: number | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Int) durationMs!: number;
}

export const REQUEST_CURSOR = 'ghl-request';

export function toGhlRequestConnection(page: Page<RequestLogRecord>): GhlRequestConnection {
  return {
    edges: page.edges.map(({ cursor, node }) => ({
      cursor,
      node: {
        id: node.id,
        locationId: node.locationId,
        operation: node.operation,
        method: node.method,
        path: node.path,
        status: node.status,
        durationMs: node.durationMs,
        error: node.error,
        at: node.at,
      },
    })),
    pageInfo: page.pageInfo,
  };
}

export const requestCursor = (row: { micros: string; id: string }) =>
  encodeKeysetCursor(REQUEST_CURSOR, row);
