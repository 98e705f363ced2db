import { Directive, Field, ID, ObjectType } from '@nestjs/graphql';

/** `Device` is owned by the devices subgraph; this subgraph adds `Device.messages`. */
@ObjectType('Device')
@Directive('@key(fields: "id")')
export class DeviceReference {
  @Field(() => ID)
  id!: string;
}

/** `Organization` is owned by the accounts subgraph; this subgraph adds `Organization.messages`. */
@ObjectType('Organization')
@Directive('@key(fields: "id")')
export class OrganizationReference {
  @Field(() => ID)
  id!: string;
}
