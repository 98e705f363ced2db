export * from './topic-catalog';
export * from './cloud-events';
// The generated protobuf code, one namespace per protobuf package (`switchboard.messaging.v1`
// → `messagingV1`): `create(messagingV1.MessageEventSchema, {...})`, type
// `messagingV1.MessageEvent`.
export * from './gen';
