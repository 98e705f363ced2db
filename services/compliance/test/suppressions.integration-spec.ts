// Opt-outs and consent over GraphQL: recorded with history and audit, published on the
// compacted topic with increasing versions, the keyword-STOP rule for opt-ins, validation,
// and the Relay lists with filters.
import { randomUUID } from 'node:crypto';
import { commonV1, complianceV1, Topics } from '@switchboard/contracts';
import { eventually, type EventWatcher, type GraphQLClient } from '@switchboard/testing';
import { startComplianceHarness, type ComplianceHarness } from './support/compliance-harness';

const STATE = `phoneNumber optedOut optOutSource consent consentSource dnd version
  history { change source actorType reason keyword messageId ip consentText }`;

describe('opt-outs and consent (GraphQL)', () => {
  let h: ComplianceHarness;
  let states: EventWatcher<typeof complianceV1.SuppressionStateSchema>;
  let audits: EventWatcher<typeof complianceV1.AuditEventSchema>;
  let owner: GraphQLClient;
  let member: GraphQLClient;
  const org = randomUUID();

  beforeAll(async () => {
    h = await startComplianceHarness();
    states = await h.watch(Topics.compliance.suppression);
    audits = await h.watch(Topics.compliance.audit);
    await h.organizationCreated(org);
    owner = await h.owner(org);
    member = await h.member(org);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('opts a number out over the API, normalized to E.164, once', async () => {
    const { optOut } = await member.expectData<{ optOut: Record<string, unknown> }>(
      `mutation { optOut(phoneNumber: "+1 (415) 555-0101", reason: "asked on the phone") { ${STATE} } }`,
    );
    expect(optOut).toMatchObject({
      phoneNumber: '+14155550101',
      optedOut: true,
      optOutSource: 'API',
      version: 1,
      history: [
        { change: 'OPT_OUT', source: 'API', actorType: 'user', reason: 'asked on the phone' },
      ],
    });
    const state = await states.waitFor((e) => e.key === `${org}:+14155550101`);
    expect(state.message).toMatchObject({ optedOut: true, version: 1n });
    const audit = await audits.waitFor((e) => e.message.action === 'suppression.opt_out');
    expect(audit.message).toMatchObject({ orgId: org, reason: 'asked on the phone' });
    expect(
      JSON.stringify(audit.message, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    ).not.toContain('4155550101');
    // Again: recorded in the history, the state (and its version) unchanged.
    const { optOut: again } = await member.expectData<{
      optOut: { version: number; history: unknown[] };
    }>(
      `mutation { optOut(phoneNumber: "+14155550101", reason: "again") { version history { change } } }`,
    );
    expect(again).toMatchObject({
      version: 1,
      history: [{ change: 'OPT_OUT' }, { change: 'OPT_OUT' }],
    });
    // A member may lift an opt-out the API made.
    const { optIn } = await member.expectData<{ optIn: { optedOut: boolean; version: number } }>(
      `mutation { optIn(phoneNumber: "+14155550101") { optedOut version } }`,
    );
    expect(optIn).toEqual({ optedOut: false, version: 2 });
    await states.waitFor((e) => e.key === `${org}:+14155550101` && e.message.version === 2n);
  });

  it("lifts a subscriber's STOP only by the owner, with a reason, recorded as ADMIN", async () => {
    const stop = await h.inbound({ orgId: org, body: 'STOP', from: '+14155550102' });
    await states.waitFor((e) => e.key === `${org}:+14155550102`);
    expect(
      await member.errorCodes(
        `mutation { optIn(phoneNumber: "+14155550102", reason: "please") { version } }`,
      ),
    ).toEqual(['KEYWORD_OPT_OUT']);
    expect(
      await owner.errorCodes(`mutation { optIn(phoneNumber: "+14155550102") { version } }`),
    ).toEqual(['REASON_REQUIRED']);
    const { optIn } = await owner.expectData<{ optIn: Record<string, unknown> }>(
      `mutation { optIn(phoneNumber: "+14155550102", reason: "signed paper form, ticket 77") { ${STATE} } }`,
    );
    expect(optIn).toMatchObject({
      optedOut: false,
      optOutSource: 'ADMIN',
      version: 2,
      history: [
        { change: 'OPT_IN', source: 'ADMIN', reason: 'signed paper form, ticket 77' },
        { change: 'OPT_OUT', source: 'INBOUND_KEYWORD', keyword: 'STOP', messageId: stop },
      ],
    });
    const audit = await audits.waitFor(
      (e) => e.message.action === 'suppression.opt_in' && e.message.metadata.source === 'ADMIN',
    );
    expect(audit.message).toMatchObject({ reason: 'signed paper form, ticket 77' });
    expect(audit.message.metadata).toMatchObject({ source: 'ADMIN', changed: 'true' });
  });

  it('records consent with its evidence and withdraws it; consent never lifts an opt-out', async () => {
    const { recordConsent } = await member.expectData<{ recordConsent: Record<string, unknown> }>(
      `mutation($input: RecordConsentInput!) { recordConsent(input: $input) { ${STATE} } }`,
      {
        input: {
          phoneNumber: '+14155550103',
          source: 'WEB_FORM',
          ip: '203.0.113.7',
          text: 'Yes, send me offers from Acme Dental. Msg&data rates may apply.',
          at: new Date(Date.now() - 60_000).toISOString(),
        },
      },
    );
    expect(recordConsent).toMatchObject({
      consent: true,
      consentSource: 'WEB_FORM',
      history: [
        {
          change: 'CONSENT_GRANTED',
          source: 'WEB_FORM',
          ip: '203.0.113.7',
          consentText: 'Yes, send me offers from Acme Dental. Msg&data rates may apply.',
        },
      ],
    });
    const state = await states.waitFor((e) => e.key === `${org}:+14155550103`);
    expect(state.message).toMatchObject({ consent: true, optedOut: false });
    const { withdrawConsent } = await member.expectData<{ withdrawConsent: { consent: boolean } }>(
      `mutation { withdrawConsent(phoneNumber: "+14155550103", reason: "asked") { consent } }`,
    );
    expect(withdrawConsent.consent).toBe(false);

    await h.inbound({ orgId: org, body: 'stop', from: '+14155550104' });
    await states.waitFor((e) => e.key === `${org}:+14155550104`);
    const { recordConsent: after } = await member.expectData<{
      recordConsent: { optedOut: boolean; consent: boolean };
    }>(
      `mutation { recordConsent(input: { phoneNumber: "+14155550104", text: "Yes" }) { optedOut consent } }`,
    );
    expect(after).toEqual({ optedOut: true, consent: true });
  });

  it('refuses bad input with typed codes', async () => {
    const codes = (query: string) => member.errorCodes(query);
    expect(
      await codes(`mutation { optOut(phoneNumber: "4155550101", reason: "x") { version } }`),
    ).toEqual(['INVALID_NUMBER']);
    expect(
      await codes(`mutation { optOut(phoneNumber: "+1415555", reason: "x") { version } }`),
    ).toEqual(['INVALID_NUMBER']);
    expect(
      await codes(`mutation { optOut(phoneNumber: "+14155550101", reason: "  ") { version } }`),
    ).toEqual(['REASON_REQUIRED']);
    expect(
      await codes(
        `mutation { recordConsent(input: { phoneNumber: "+14155550105", text: " " }) { version } }`,
      ),
    ).toEqual(['INVALID_CONSENT']);
    expect(
      await codes(
        `mutation { recordConsent(input: { phoneNumber: "+14155550105", text: "Yes", ip: "999.1.1.1" }) { version } }`,
      ),
    ).toEqual(['INVALID_CONSENT']);
    expect(
      await codes(
        `mutation { recordConsent(input: { phoneNumber: "+14155550105", text: "Yes", source: INBOUND_KEYWORD }) { version } }`,
      ),
    ).toEqual(['INVALID_CONSENT']);
    expect(
      await codes(
        `mutation { recordConsent(input: { phoneNumber: "+14155550105", text: "Yes", at: "2999-01-01T00:00:00Z" }) { version } }`,
      ),
    ).toEqual(['INVALID_CONSENT']);
    expect(await codes(`{ optOuts(first: 101) { edges { cursor } } }`)).toEqual([
      'INVALID_PAGINATION',
    ]);
    expect(await codes(`{ optOuts(after: "bm90LW91cnM") { edges { cursor } } }`)).toEqual([
      'INVALID_PAGINATION',
    ]);
  });

  it('lists opted-out and consenting numbers as Relay connections with filters', async () => {
    for (const n of ['+14155550110', '+14155550111', '+14155550112']) {
      await member.expectData(
        `mutation($n: String!) { optOut(phoneNumber: $n, reason: "list") { version } }`,
        {
          n,
        },
      );
    }
    type Page = {
      optOuts: {
        edges: { cursor: string; node: { phoneNumber: string; history: { change: string }[] } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Page = await member.expectData<Page>(
        `query($after: String) { optOuts(first: 2, after: $after, filter: { source: API }) {
           edges { cursor node { phoneNumber history { change } } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...page.optOuts.edges.map((e) => e.node.phoneNumber));
      expect(page.optOuts.edges.every((e) => e.node.history.length > 0)).toBe(true);
      if (!page.optOuts.pageInfo.hasNextPage) break;
      after = page.optOuts.pageInfo.endCursor;
    }
    // Newest first; the API ones only (+14155550101 was lifted, the keyword ones are INBOUND).
    expect(seen).toEqual(['+14155550112', '+14155550111', '+14155550110']);
    const { optOuts: keyword } = await member.expectData<Page>(
      `{ optOuts(filter: { source: INBOUND_KEYWORD }) { edges { node { phoneNumber } } } }`,
    );
    expect(keyword.edges.map((e) => e.node.phoneNumber)).toEqual(['+14155550104']);
    const { optOuts: one } = await member.expectData<Page>(
      `{ optOuts(filter: { phoneNumber: "+14155550111" }) { edges { node { phoneNumber } } } }`,
    );
    expect(one.edges).toHaveLength(1);
    const { consents } = await member.expectData<{
      consents: { edges: { node: { phoneNumber: string } }[] };
    }>(`{ consents { edges { node { phoneNumber } } } }`);
    expect(consents.edges.map((e) => e.node.phoneNumber)).toEqual(['+14155550104']);
    // Another organization sees none of it.
    const stranger = await h.owner(randomUUID());
    const { optOuts: theirs } = await stranger.expectData<Page>(`{ optOuts { edges { cursor } } }`);
    expect(theirs.edges).toEqual([]);
  });

  it('keeps the number state and the compacted topic in step (versions only grow)', async () => {
    await eventually(async () => {
      const [{ pending }] = await h.sql<{ pending: number }>(
        `SELECT count(*)::int AS pending FROM outbox WHERE published_at IS NULL`,
      );
      expect(pending).toBe(0);
    });
    const rows = await h.sql<{ phone_number: string; version: string }>(
      `SELECT phone_number, version FROM suppressions WHERE org_id = $1`,
      [org],
    );
    expect(rows.length).toBeGreaterThan(3);
    await eventually(() => {
      for (const row of rows) {
        const versions = states.events
          .filter((e) => e.key === `${org}:${row.phone_number}`)
          .map((e) => Number(e.message.version));
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
        expect(versions.at(-1)).toBe(Number(row.version));
      }
    });
  });
});

describe('opt-out requests of other services (compliance.opt-out-request.v1)', () => {
  let h: ComplianceHarness;
  let states: EventWatcher<typeof complianceV1.SuppressionStateSchema>;
  const org = randomUUID();

  beforeAll(async () => {
    h = await startComplianceHarness();
    states = await h.watch(Topics.compliance.suppression);
    await h.organizationCreated(org);
  });

  afterAll(async () => {
    await h?.close();
  });

  const request = (phoneNumber: string, kind: complianceV1.OptOutRequestKind) =>
    h.publish(Topics.compliance.optOutRequest, `${org}:${phoneNumber}`, org, {
      orgId: org,
      phoneNumber,
      kind,
      source: complianceV1.ConsentSource.GHL,
      reason: 'GHL ContactDndUpdate',
      requestedBy: { type: commonV1.ActorType.SERVICE, id: 'ghl-sync', orgId: org },
    });

  it("sets GHL's DND (source GHL), and clearing it lifts only the DND, never a keyword STOP", async () => {
    await request('+14155550177', complianceV1.OptOutRequestKind.DND_SET);
    const set = await states.waitFor((e) => e.key === `${org}:+14155550177` && e.message.dnd);
    expect(set.message).toMatchObject({ dnd: true, optedOut: false });
    const history = await h.sql<{ kind: string; source: string; actor_id: string }>(
      `SELECT kind, source, actor_id FROM suppression_history WHERE org_id = $1 AND phone_number = $2`,
      [org, '+14155550177'],
    );
    expect(history).toEqual([{ kind: 'DND_SET', source: 'GHL', actor_id: 'ghl-sync' }]);

    // The subscriber sent STOP; GHL's DND is cleared later: the STOP stays.
    await h.inbound({ orgId: org, body: 'STOP', from: '+14155550177' });
    await states.waitFor((e) => e.key === `${org}:+14155550177` && e.message.optedOut);
    await request('+14155550177', complianceV1.OptOutRequestKind.DND_CLEARED);
    const cleared = await states.waitFor(
      (e) => e.key === `${org}:+14155550177` && !e.message.dnd && e.message.version >= 3n,
    );
    expect(cleared.message).toMatchObject({ dnd: false, optedOut: true });
  });

  it('records consent from a list import with its evidence, and consent never lifts a STOP', async () => {
    const consent = (phoneNumber: string) =>
      h.publish(Topics.compliance.optOutRequest, `${org}:${phoneNumber}`, org, {
        orgId: org,
        phoneNumber,
        kind: complianceV1.OptOutRequestKind.CONSENT_GRANTED,
        source: complianceV1.ConsentSource.LIST_IMPORT,
        reason: 'list import (web form)',
        ip: '203.0.113.9',
        consentText: 'Yes, text me offers',
        requestedBy: { type: commonV1.ActorType.SERVICE, id: 'messaging', orgId: org },
      });
    await consent('+14155550178');
    const granted = await states.waitFor(
      (e) => e.key === `${org}:+14155550178` && e.message.consent,
    );
    expect(granted.message).toMatchObject({ consent: true, optedOut: false });
    const [entry] = await h.sql<{ kind: string; source: string; ip: string; consent_text: string }>(
      `SELECT kind, source, host(ip) AS ip, consent_text FROM suppression_history
        WHERE org_id = $1 AND phone_number = $2`,
      [org, '+14155550178'],
    );
    expect(entry).toEqual({
      kind: 'CONSENT_GRANTED',
      source: 'LIST_IMPORT',
      ip: '203.0.113.9',
      consent_text: 'Yes, text me offers',
    });

    await h.inbound({ orgId: org, body: 'STOP', from: '+14155550179' });
    await states.waitFor((e) => e.key === `${org}:+14155550179` && e.message.optedOut);
    await consent('+14155550179');
    const after = await states.waitFor((e) => e.key === `${org}:+14155550179` && e.message.consent);
    expect(after.message).toMatchObject({ consent: true, optedOut: true });
  });
});
