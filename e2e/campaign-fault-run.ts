// The campaign fault scenario of issue 13, shared by the CI test (e2e/campaign-fault.e2e-spec.ts,
// a few hundred recipients, messaging and devices killed once each) and the on-demand run
// (bench/campaign-fault.ts: 10,000 recipients; messaging, devices, compliance, the gateway and the
// broker in turn).
//
// It starts a platform of its own, one process per component (startPlatform mode 'processes')
// on a private broker, signs an organization up on the postpaid plan (DEFAULT_PLAN_ID), enrolls
// simulated SMSGate phones (tools/device-agent, each writing its own JSON-lines log), uploads the
// recipients as a CSV through the gateway, starts a campaign and, while it runs, SIGKILLs each
// named component at a random moment (a random point of the fan-out's progress) and starts it
// again (`Platform.restart`; the broker — an in-memory mock without a disk to survive a SIGKILL —
// drops every connection and refuses new ones for a while instead). Then it waits until the
// campaign is COMPLETED and every message is in a final status and reports, from messaging's
// database and from the phones' own logs, what a fault could have broken: recipients without a
// message, recipients with more than one, messages not final, messages the phones transmitted
// more than once or never.
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { SimulatedPhone, type AgentLogEntry } from '@switchboard/device-agent';
import {
  graphqlClient,
  loadStackEnv,
  stackDir,
  stackSetting,
  startPlatform,
  type GraphQLClient,
  type Platform,
} from '@switchboard/testing';
import { messagingPolicyVersion } from './policy-projection';

export interface CampaignFaultOptions {
  label: string;
  recipients: number;
  phones: number;
  /** Components to SIGKILL and restart, in this order, each once ('broker': down and up). */
  kills: string[];
  /** The campaign's requested rate (messages a minute; the phones' capacity caps it). */
  ratePerMinute: number;
  /** Devices' PACING_WINDOW_MS: each phone takes 30 segments per window. */
  pacingWindowMs?: number;
  /**
   * Devices' PACING_MARGIN_MS (default: theirs, window ÷ 60 up to 1 s): how much longer than the
   * window devices counts hand-outs, so a phone receiving them late (a loaded machine) still
   * sees at most 30 in its own window. The campaign's cap follows window + margin.
   */
  pacingMarginMs?: number;
  /** How long everything may take after the start. */
  timeoutMs: number;
  say?: (line: string) => void;
}

export interface CampaignFaultResult {
  recipients: number;
  messages: number;
  seconds: number;
  kills: { name: string; atCreated: number; downSeconds: number }[];
  /** Recipients with no message / more than one (messaging's database). */
  missing: string[];
  duplicated: string[];
  /** Messages not in a final status, by status. */
  notFinal: Record<string, number>;
  /** Final statuses of the campaign's messages. */
  statuses: Record<string, number>;
  /** From the phones' logs: recipients whose message left a phone twice or more / never. */
  transmittedTwice: string[];
  neverTransmitted: string[];
  /** Transmissions of messages that are not the campaign's (there should be none). */
  strayTransmissions: number;
  agentLogs: string[];
  pacing: CampaignPacing;
}

/** Pacing as the phones saw it (their logs' handouts). */
export interface CampaignPacing {
  windowMs: number;
  /** Per phone, the most segments handed out within any window (the cap is 30). */
  maxSegmentsPerWindow: number[];
  /** Windows (one starting at each handout) holding more than 30 segments, over all phones. */
  capViolations: number;
  /** The campaign's rate: requested, capped by the phones (messages a minute). */
  plannedPerMinute: number;
  /** The campaign's messages ÷ the time from its first to its last handout. */
  achievedPerMinute: number;
  /** achieved ÷ planned. */
  fidelity: number;
  /**
   * Where a shortfall comes from: the fan-out's own rate (messages created, from messaging's
   * database: (n − 1) ÷ first to last `created_at`), against the phones' handouts above.
   */
  createdPerMinute: number;
}

/**
 * Per-phone sliding windows over the handouts (`at`, `segments`): the most in one window and how
 * many windows exceed `cap`. `toleranceMs` shortens the window for the request's own latency
 * (the phone stamps a handout when the response arrives, devices when it answered).
 */
export function pacingOf(
  phones: { at: number; segments: number }[][],
  windowMs: number,
  cap = 30,
  toleranceMs = Math.min(200, windowMs / 10),
): { maxSegmentsPerWindow: number[]; capViolations: number } {
  let capViolations = 0;
  const maxSegmentsPerWindow = phones.map((handouts) => {
    const sorted = [...handouts].sort((a, b) => a.at - b.at);
    let max = 0;
    let end = 0;
    let inWindow = 0;
    for (let start = 0; start < sorted.length; start++) {
      while (end < sorted.length && sorted[end].at < sorted[start].at + windowMs - toleranceMs) {
        inWindow += sorted[end].segments;
        end++;
      }
      max = Math.max(max, inWindow);
      if (inWindow > cap) capViolations++;
      inWindow -= sorted[start].segments;
    }
    return max;
  });
  return { maxSegmentsPerWindow, capViolations };
}

const PASSWORD = 'correct horse battery staple 42';
/** One GSM-7 segment with any of the names filled in. */
const TEMPLATE = 'Hi {{first_name|there}}, this is the campaign run';
const segments = 1;
const FINAL = new Set(['DELIVERED', 'FAILED', 'REJECTED', 'EXPIRED', 'CANCELED']);

/** Polls until `probe` gives something, or fails after `timeoutMs`; a throwing probe retries. */
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops the phones; a request of theirs cut off by a kill may hang, so at most 5 s each. */
async function stopPhones(phones: SimulatedPhone[]): Promise<void> {
  await Promise.all(
    phones.map((phone) =>
      Promise.race([
        phone.stop().catch(() => undefined),
        new Promise((r) => setTimeout(r, 5000).unref()),
      ]),
    ),
  );
}

export const faultNumbers = (n: number) =>
  Array.from({ length: n }, (_, i) => `+1415${String(3_000_000 + i).padStart(7, '0')}`);

export async function runCampaignFault(o: CampaignFaultOptions): Promise<CampaignFaultResult> {
  const say = o.say ?? (() => undefined);
  loadStackEnv();
  const window = o.pacingWindowMs ?? 1000;
  const margin = o.pacingMarginMs ?? Math.min(1000, Math.floor(window / 60));
  const platform: Platform = await startPlatform({
    label: o.label,
    mode: 'processes',
    broker: 'private',
    env: {
      LOG_LEVEL: 'warn',
      OTEL_SDK_DISABLED: 'true',
      // Every segment billed as overage: no allowance to run out of at 10,000 recipients.
      DEFAULT_PLAN_ID: 'postpaid',
      MESSAGE_SEND_RATE_PER_SECOND: '0',
      PACING_WINDOW_MS: String(window),
      PACING_MARGIN_MS: String(margin),
      // The campaign's cap follows what devices hands a phone: 30 segments per window + margin.
      CAMPAIGN_PHONE_SEGMENTS_PER_MINUTE: String(Math.floor((30 * 60_000) / (window + margin))),
      CAMPAIGN_MAX_RATE_PER_MINUTE: '600000',
      // Messaging's and devices' consumers on all partitions at once: at 1 (their default) a
      // loaded machine moved ~1 dispatch command a second and a 10,000 campaign never drained.
      KAFKA_PARTITIONS_CONCURRENTLY: '12',
    },
  });
  const phones: SimulatedPhone[] = [];
  const streams: WriteStream[] = [];
  const logDir = join(stackDir(), 'logs', `${o.label}-agents-${Date.now().toString(36)}`);
  mkdirSync(logDir, { recursive: true });
  // As the stack's superuser: row-level security would hide every row from a plain role.
  const admin = new URL(stackSetting('PG_ADMIN_URL'));
  admin.pathname = new URL(
    platform.processes.find((p) => p.name === 'messaging')!.databaseOwnerUrl!,
  ).pathname;
  // A connection per query: one held across the restarts could be dropped under us.
  const messagingDb = {
    async query<T>(text: string, params: unknown[]): Promise<{ rows: T[] }> {
      const client = new Client({ connectionString: admin.toString() });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return { rows: (await client.query(text, params)).rows as T[] };
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
  const started = Date.now();
  try {
    const gql = graphqlClient(platform.graphqlUrl!);
    const { signUp } = await gql.expectData<{
      signUp: { accessToken: string; organization: { id: string } };
    }>(
      'mutation($input: SignUpInput!) { signUp(input: $input) { accessToken organization { id } } }',
      {
        input: {
          email: `fault-${randomUUID().slice(0, 8)}@example.com`,
          password: PASSWORD,
          organizationName: `Fault ${randomUUID().slice(0, 6)}`,
        },
      },
    );
    const api: GraphQLClient = gql.as(signUp.accessToken);
    const { updateCompliancePolicy } = await api.expectData<{
      updateCompliancePolicy: { version: number };
    }>('mutation { updateCompliancePolicy(input: { quietHoursEnabled: false }) { version } }');
    // Messaging learns the policy from compliance.policy.v1; until it has, the default's quiet
    // hours would hold the campaign's messages outside 08:00–21:00 in the recipients' time.
    await until(
      'messaging to hold the policy without quiet hours',
      async () =>
        (await messagingPolicyVersion(
          (text, params) => messagingDb.query(text, params),
          signUp.organization.id,
        )) >= updateCompliancePolicy.version,
      60_000,
    );
    const devicesUrl = platform.processes.find((p) => p.name === 'devices')!.url;
    const agentLogs: string[] = [];
    for (let i = 0; i < o.phones; i++) {
      const { createDeviceEnrollment } = await api.expectData<{
        createDeviceEnrollment: { token: string };
      }>('mutation { createDeviceEnrollment(name: "fault phone") { token } }');
      const file = join(logDir, `phone-${i + 1}.jsonl`);
      const stream = createWriteStream(file, { flags: 'a' });
      streams.push(stream);
      agentLogs.push(file);
      const phone = new SimulatedPhone({
        apiUrl: `${devicesUrl}/api/mobile/v1`,
        sendDelayMs: 20,
        deliveryDelayMs: 20,
        reconnectDelayMs: 300,
        outcomes: { delivered: 1, sent: 0, failed: 0 },
        log: (entry: AgentLogEntry) => stream.write(`${JSON.stringify(entry)}\n`),
      });
      await phone.enroll(createDeviceEnrollment.token);
      await phone.start();
      phones.push(phone);
    }
    await until(
      `${o.phones} phones online`,
      async () => {
        const { devices } = await api.expectData<{ devices: { status: string }[] }>(
          'query { devices { status } }',
        );
        return devices.filter((d) => d.status === 'ONLINE').length === o.phones;
      },
      60_000,
    );

    // The recipients, uploaded as a CSV through the gateway's /uploads (the signed link).
    const numbers = faultNumbers(o.recipients);
    const { createContactList } = await api.expectData<{ createContactList: { id: string } }>(
      'mutation { createContactList(input: { name: "Fault run" }) { id } }',
    );
    const { createContactImport } = await api.expectData<{
      createContactImport: { uploadUrl: string };
    }>(
      'mutation($input: CreateContactImportInput) { createContactImport(input: $input) { uploadUrl } }',
      { input: { listId: createContactList.id } },
    );
    const link = new URL(createContactImport.uploadUrl);
    const upload = await fetch(
      `${new URL(platform.graphqlUrl!).origin}${link.pathname}${link.search}`,
      {
        method: 'PUT',
        headers: { 'content-type': 'text/csv' },
        body: ['phone,first_name', ...numbers.map((n, i) => `${n},Name${i}`)].join('\n'),
      },
    );
    const imported = (await upload.json()) as { status: string; rowsAccepted: number };
    if (imported.status !== 'COMPLETED' || imported.rowsAccepted !== o.recipients) {
      throw new Error(`import: ${JSON.stringify(imported)}`);
    }
    const { createCampaign } = await api.expectData<{ createCampaign: { id: string } }>(
      'mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }',
      {
        input: {
          name: 'Fault run',
          listId: createContactList.id,
          template: TEMPLATE,
          ratePerMinute: o.ratePerMinute,
        },
      },
    );
    const campaignId = createCampaign.id;
    await api.expectData('mutation($id: ID!) { startCampaign(id: $id) { status } }', {
      id: campaignId,
    });
    say(`campaign ${campaignId} started: ${o.recipients} recipients, ${o.phones} phones`);

    const created = async () =>
      Number(
        (
          await messagingDb.query<{ n: string }>(
            'SELECT count(*) AS n FROM messages WHERE campaign_id = $1',
            [campaignId],
          )
        ).rows[0].n,
      );
    // Each kill at a random point of its own slice of the fan-out's progress.
    const kills: CampaignFaultResult['kills'] = [];
    const slice = 0.8 / o.kills.length;
    for (const [i, name] of o.kills.entries()) {
      const target = Math.floor(o.recipients * (0.05 + slice * (i + Math.random() * 0.8)));
      const atCreated = await until(
        `${target} messages created before killing ${name}`,
        async () => {
          const n = await created();
          return n >= target ? n : undefined;
        },
        // The fan-out's own pace sets how long the next kill point takes: the run's deadline.
        Math.max(120_000, o.timeoutMs - (Date.now() - started)),
      );
      const down = Date.now();
      await platform.restart(name, { downMs: name === 'broker' ? 3000 : 0 });
      const downSeconds = (Date.now() - down) / 1000;
      kills.push({ name, atCreated, downSeconds });
      say(`killed ${name} at ${atCreated} created; back after ${downSeconds.toFixed(1)} s`);
    }

    await until(
      'the campaign COMPLETED and every message final',
      async () => {
        const campaign = await messagingDb.query<{ status: string }>(
          'SELECT status FROM campaigns WHERE id = $1',
          [campaignId],
        );
        if (campaign.rows[0]?.status !== 'COMPLETED') return false;
        const open = await messagingDb.query<{ n: string }>(
          `SELECT count(*) AS n FROM messages WHERE campaign_id = $1 AND status <> ALL($2)`,
          [campaignId, [...FINAL]],
        );
        return Number(open.rows[0].n) === 0;
      },
      Math.max(60_000, o.timeoutMs - (Date.now() - started)),
    )
      .then(() => say('campaign COMPLETED, every message final'))
      .catch((error: Error) => say(`${error.message}; reporting what there is`));

    // What messaging stored.
    const rows = (
      await messagingDb.query<{ id: string; to_number: string; status: string; created: string }>(
        `SELECT id, to_number, status, (extract(epoch FROM created_at) * 1000)::bigint::text AS created
           FROM messages WHERE campaign_id = $1`,
        [campaignId],
      )
    ).rows;
    const createdAt = rows.map((r) => Number(r.created)).sort((a, b) => a - b);
    const createdSpan = createdAt.length ? createdAt[createdAt.length - 1] - createdAt[0] : 0;
    const perRecipient = new Map<string, string[]>();
    for (const row of rows) {
      perRecipient.set(row.to_number, [...(perRecipient.get(row.to_number) ?? []), row.id]);
    }
    const statuses: Record<string, number> = {};
    const notFinal: Record<string, number> = {};
    for (const row of rows) {
      statuses[row.status] = (statuses[row.status] ?? 0) + 1;
      if (!FINAL.has(row.status)) notFinal[row.status] = (notFinal[row.status] ?? 0) + 1;
    }

    say('stopping the phones');
    // What the phones transmitted, from their own logs.
    await stopPhones(phones);
    await Promise.all(streams.map((s) => new Promise((r) => s.end(r))));
    const transmissions = new Map<string, number>();
    const handouts: { at: number; segments: number; id: string }[][] = [];
    for (const file of agentLogs) {
      const mine: { at: number; segments: number; id: string }[] = [];
      handouts.push(mine);
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as AgentLogEntry;
        if (entry.event === 'handout') {
          mine.push({
            at: Number(entry.receivedAt ?? entry.t),
            segments: Number(entry.segments ?? 1),
            id: String(entry.messageId),
          });
        }
        if (entry.event !== 'transmitted') continue;
        const id = String(entry.messageId);
        transmissions.set(id, (transmissions.get(id) ?? 0) + 1);
      }
    }
    const ours = new Set(rows.map((r) => r.id));
    let stray = 0;
    for (const [id, n] of transmissions) if (!ours.has(id)) stray += n;
    const campaignHandouts = handouts
      .flat()
      .filter((h) => ours.has(h.id))
      .map((h) => h.at)
      .sort((a, b) => a - b);
    const span = campaignHandouts.length
      ? campaignHandouts[campaignHandouts.length - 1] - campaignHandouts[0]
      : 0;
    // The first handout starts the clock: n handouts are n - 1 intervals.
    const achievedPerMinute = span > 0 ? ((campaignHandouts.length - 1) * 60_000) / span : 0;
    // What the campaign plans with (messaging's cap above): 30 segments a phone per window +
    // margin, the span over which devices counts a phone's hand-outs.
    const plannedPerMinute = Math.min(
      o.ratePerMinute,
      Math.floor((o.phones * Math.floor((30 * 60_000) / (window + margin))) / segments),
    );
    const pacing: CampaignPacing = {
      windowMs: window,
      ...pacingOf(handouts, window),
      plannedPerMinute,
      achievedPerMinute,
      fidelity: achievedPerMinute / plannedPerMinute,
      createdPerMinute: createdSpan > 0 ? ((createdAt.length - 1) * 60_000) / createdSpan : 0,
    };
    const transmittedTo = (n: string) =>
      (perRecipient.get(n) ?? []).reduce((sum, id) => sum + (transmissions.get(id) ?? 0), 0);
    return {
      recipients: o.recipients,
      messages: rows.length,
      seconds: (Date.now() - started) / 1000,
      kills,
      missing: numbers.filter((n) => !perRecipient.has(n)),
      duplicated: numbers.filter((n) => (perRecipient.get(n)?.length ?? 0) > 1),
      notFinal,
      statuses,
      transmittedTwice: numbers.filter((n) => transmittedTo(n) > 1),
      neverTransmitted: numbers.filter((n) => transmittedTo(n) === 0),
      strayTransmissions: stray,
      agentLogs,
      pacing,
    };
  } finally {
    await stopPhones(phones);
    for (const stream of streams) stream.end();
    await platform.stop();
  }
}
