import type { GraphQLClient } from '@switchboard/testing';

export const MESSAGE_FIELDS = `id status direction from to body encoding segments route deviceId simNumber
  conversationId idempotencyKey metadata attempt scheduledAt validUntil createdAt queuedAt dispatchedAt
  sentAt deliveredAt failedAt rejectedAt expiredAt canceledAt receivedAt
  error { code message rawCode rawMessage }`;

export interface MessageView {
  id: string;
  status: string;
  direction: string;
  from: string | null;
  to: string | null;
  body: string | null;
  encoding: string;
  segments: number;
  route: string | null;
  deviceId: string | null;
  simNumber: number | null;
  conversationId: string | null;
  idempotencyKey: string | null;
  metadata: Record<string, string>;
  attempt: number;
  scheduledAt: string | null;
  validUntil: string | null;
  createdAt: string;
  queuedAt: string | null;
  dispatchedAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  failedAt: string | null;
  rejectedAt: string | null;
  expiredAt: string | null;
  canceledAt: string | null;
  receivedAt: string | null;
  error: {
    code: string;
    message: string;
    rawCode: string | null;
    rawMessage: string | null;
  } | null;
}

export const SEND = `mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_FIELDS} } }`;
export const GET = `query Get($id: ID!) { message(id: $id) { ${MESSAGE_FIELDS} } }`;
export const CANCEL = `mutation Cancel($id: ID!) { cancelMessage(id: $id) { ${MESSAGE_FIELDS} } }`;

export async function send(
  client: GraphQLClient,
  input: Record<string, unknown>,
): Promise<MessageView> {
  return (await client.expectData<{ sendMessage: MessageView }>(SEND, { input })).sendMessage;
}

export async function get(client: GraphQLClient, id: string): Promise<MessageView> {
  return (await client.expectData<{ message: MessageView }>(GET, { id })).message;
}
