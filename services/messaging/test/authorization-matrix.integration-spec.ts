// Who may call what: every Query and Mutation field of the messaging subgraph, called as every
// kind of caller (generated from the schema and the resolvers' auth decorators; see
// libs/testing/src/authorization-matrix.ts). A new field fails here until it is listed below.
import { randomUUID } from 'node:crypto';
import {
  describeAuthorizationMatrix,
  FEDERATION,
  requiresPlatformAdmin,
  requiresScopes,
  TestTokenIssuer,
  type AuthorizationMatrix,
  issuedTokenFor,
  type MatrixTarget,
} from '@switchboard/testing';
import {
  startApp,
  startStack,
  type MessagingStack,
  type RunningApp,
} from './support/messaging-app';

const READ = requiresScopes('messages:read');
const SEND = requiresScopes('messages:send');
const CONTACTS = requiresScopes('contacts:write');

const matrix: AuthorizationMatrix = {
  service: 'messaging',
  deviceAccessToken: true,
  fields: {
    'Query.message': READ,
    'Query.messages': READ,
    'Query.messageStats': READ,
    'Query.adminMessages': requiresPlatformAdmin('message.list'),
    'Query.conversations': READ,
    'Query.conversation': READ,
    'Mutation.sendMessage': SEND,
    'Mutation.sendMessages': SEND,
    'Mutation.cancelMessage': SEND,
    // A write (the unread count every member sees) that returns the conversation.
    'Mutation.markConversationRead': requiresScopes('messages:read', 'messages:send'),
    // Customer webhooks are organization settings: the org admin scope.
    'Query.webhookEndpoints': requiresScopes('admin'),
    'Query.webhookDeliveries': requiresScopes('admin'),
    'Query.webhookDeliveryAttempts': requiresScopes('admin'),
    'Mutation.createWebhookEndpoint': requiresScopes('admin'),
    'Mutation.updateWebhookEndpoint': requiresScopes('admin'),
    'Mutation.deleteWebhookEndpoint': requiresScopes('admin'),
    'Mutation.rotateWebhookSecret': requiresScopes('admin'),
    'Mutation.testWebhookEndpoint': requiresScopes('admin'),
    'Mutation.replayWebhookDelivery': requiresScopes('admin'),
    'Mutation.replayWebhookDeliveries': requiresScopes('admin'),
    // Contacts and lists: read with messages:read, written with contacts:write.
    'Query.contact': READ,
    'Query.contacts': READ,
    'Query.contactList': READ,
    'Query.contactLists': READ,
    'Mutation.createContact': CONTACTS,
    'Mutation.updateContact': CONTACTS,
    'Mutation.deleteContact': CONTACTS,
    'Mutation.createContactList': CONTACTS,
    'Mutation.renameContactList': CONTACTS,
    'Mutation.deleteContactList': CONTACTS,
    'Mutation.addContactsToList': CONTACTS,
    'Mutation.removeContactsFromList': CONTACTS,
    'Mutation.createContactImport': CONTACTS,
    'Query.contactImport': READ,
    // Campaigns: read with messages:read; created and run with messages:send.
    'Query.campaign': READ,
    'Query.campaigns': READ,
    'Query.previewCampaign': READ,
    'Mutation.createCampaign': SEND,
    'Mutation.startCampaign': SEND,
    'Mutation.pauseCampaign': SEND,
    'Mutation.resumeCampaign': SEND,
    'Mutation.cancelCampaign': SEND,
    // Routes are organization settings: the org admin scope (owners and admins).
    'Query.routes': requiresScopes('admin'),
    'Mutation.createRoute': requiresScopes('admin'),
    'Mutation.updateRoute': requiresScopes('admin'),
    'Mutation.deleteRoute': requiresScopes('admin'),
    // Carrier accounts and numbers are organization settings (credentials): the admin scope.
    'Query.carrierAccounts': requiresScopes('admin'),
    'Mutation.createCarrierAccount': requiresScopes('admin'),
    'Mutation.deleteCarrierAccount': requiresScopes('admin'),
    'Mutation.testCarrierAccount': requiresScopes('admin'),
    'Mutation.addCarrierNumber': requiresScopes('admin'),
    'Mutation.removeCarrierNumber': requiresScopes('admin'),
    'Query._entities': FEDERATION,
    'Query._service': FEDERATION,
  },
};

describe('messaging authorization matrix', () => {
  const orgId = randomUUID();
  let issuer: TestTokenIssuer;
  let stack: MessagingStack;
  let app: RunningApp;
  let target: MatrixTarget;

  beforeAll(async () => {
    issuer = await TestTokenIssuer.start();
    stack = await startStack(issuer.authEnv);
    app = await startApp(stack);
    target = {
      app: app.app,
      client: app.gql(),
      tokenFor: (caller) => issuedTokenFor(issuer, orgId, caller),
    };
  });

  afterAll(async () => {
    await app?.close();
    await stack?.stop();
    await issuer?.stop();
  });

  describeAuthorizationMatrix(matrix, () => target);
});
