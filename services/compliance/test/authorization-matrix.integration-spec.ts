// Who may call what: every Query and Mutation field of the compliance subgraph, called as every
// kind of caller (generated from the schema and the resolvers' auth decorators; see
// libs/testing/src/authorization-matrix.ts). A new field fails here until it is listed below.
import { randomUUID } from 'node:crypto';
import {
  describeAuthorizationMatrix,
  FEDERATION,
  requiresPlatformAdmin,
  requiresScopes,
  type AuthorizationMatrix,
  issuedTokenFor,
  type MatrixTarget,
} from '@switchboard/testing';
import { startComplianceHarness, type ComplianceHarness } from './support/compliance-harness';

/** Reading opt-outs, consent and the policy: members' messages:read. */
const READ = requiresScopes('messages:read');
/** Recording opt-outs and consent: members' contacts:write. */
const RECORD = requiresScopes('contacts:write');
/** The organization's settings and its audit log: the owner's admin. */
const OWNER = requiresScopes('admin');
const NUMBER = { phoneNumber: '+14155550123' };

const matrix: AuthorizationMatrix = {
  service: 'compliance',
  deviceAccessToken: true,
  fields: {
    'Query.compliancePolicy': READ,
    'Mutation.updateCompliancePolicy': { ...OWNER, args: { input: { bodyRetentionDays: 8 } } },
    'Query.suppression': { ...READ, args: NUMBER },
    'Query.optOuts': READ,
    'Query.consents': READ,
    'Mutation.optOut': { ...RECORD, args: { ...NUMBER, reason: 'matrix' } },
    'Mutation.optIn': { ...RECORD, args: { ...NUMBER, reason: 'matrix' } },
    'Mutation.recordConsent': {
      ...RECORD,
      args: { input: { ...NUMBER, text: 'Yes, text me offers', source: 'WEB_FORM' } },
    },
    'Mutation.withdrawConsent': { ...RECORD, args: NUMBER },
    // The audit log (src/audit).
    'Query.auditLog': OWNER,
    'Query.verifyAuditChain': OWNER,
    'Mutation.exportAuditLog': OWNER,
    'Query.adminAuditLog': requiresPlatformAdmin('audit_log.read'),
    'Query.adminVerifyAuditChain': requiresPlatformAdmin('audit_log.verify'),
    // Retention (src/retention).
    'Query.retentionReport': OWNER,
    'Query.adminRetentionReport': requiresPlatformAdmin('retention_report.read'),
    // GDPR/CCPA (src/privacy): any member for their own data; the service refuses others'
    // (domain/privacy-request.ts, tested in test/privacy.integration-spec.ts).
    'Mutation.requestDataExport': { ...READ, args: { subject: { kind: 'USER' } } },
    'Mutation.requestErasure': {
      ...READ,
      args: { subject: { kind: 'USER' }, confirmation: 'not the user id' },
    },
    'Query.privacyRequest': { ...READ, args: { id: randomUUID() } },
    'Mutation.adminRequestDataExport': {
      ...requiresPlatformAdmin('privacy_request.export'),
      args: { orgId: randomUUID(), subject: { kind: 'ORGANIZATION' } },
    },
    'Query._service': FEDERATION,
  },
};

describe('compliance authorization matrix', () => {
  const orgId = randomUUID();
  let h: ComplianceHarness;
  let target: MatrixTarget;

  beforeAll(async () => {
    h = await startComplianceHarness();
    target = {
      app: h.app,
      client: h.graphql(),
      tokenFor: (caller) => issuedTokenFor(h.tokens, orgId, caller),
    };
  });

  afterAll(async () => {
    await h?.close();
  });

  describeAuthorizationMatrix(matrix, () => target);
});
