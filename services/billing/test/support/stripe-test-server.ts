// A local Stripe: the endpoints billing uses, the way Stripe documents them — every request
// checked against Stripe's published OpenAPI spec first (./stripe-openapi.ts; a request it does
// not describe is answered 400 and kept in `specViolations`), form-encoded
// bodies with bracketed keys, `Authorization: Bearer sk_…`, `Idempotency-Key` (a repeated key
// returns the first response; the same key with other parameters is an idempotency_error),
// error objects `{ error: { type, code, message, param } }` — plus webhook events signed by the
// library's own test-header helper.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { stripeSpecProblems } from './stripe-openapi';

type Obj = Record<string, unknown>;

/** `a[b][0][c]=1` form fields into nested objects and arrays (Stripe's encoding). */
export function parseStripeForm(body: string): Obj {
  const root: Obj = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Obj = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) {
        node[part] = value;
        return;
      }
      const nextIsIndex = /^\d+$/.test(path[i + 1]);
      node[part] ??= nextIsIndex ? [] : {};
      node = node[part] as Obj;
    });
  }
  return root;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey?: string;
  params: Obj;
}

export class StripeTestServer {
  readonly requests: RecordedRequest[] = [];
  /** Requests Stripe's OpenAPI spec does not describe (answered 400). */
  readonly specViolations: string[] = [];
  readonly customers = new Map<string, Obj>();
  readonly sessions = new Map<string, Obj>();
  readonly subscriptions = new Map<string, Obj>();
  readonly invoices = new Map<string, Obj>();
  readonly paymentIntents = new Map<string, Obj>();
  private invoiceClock = Math.floor(Date.now() / 1000) - 86_400 * 365;
  /** Meter events by identifier (Stripe counts an identifier once). */
  readonly meterEvents = new Map<string, Obj>();
  private readonly idempotent = new Map<string, { body: string; status: number; response: Obj }>();
  private server!: Server;
  private constructor(
    readonly secretKey: string,
    readonly webhookSecret: string,
  ) {}

  static async start(
    secretKey = 'sk_test_local',
    webhookSecret = 'whsec_local_test',
  ): Promise<StripeTestServer> {
    const s = new StripeTestServer(secretKey, webhookSecret);
    s.server = createServer((req, res) => void s.handle(req, res));
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Billing's settings for this server. */
  get env(): Record<string, string> {
    return {
      STRIPE_API_BASE: this.baseUrl,
      STRIPE_SECRET_KEY: this.secretKey,
      STRIPE_WEBHOOK_SECRET: this.webhookSecret,
    };
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** A webhook event as Stripe sends it (`object: 'event'`). */
  event(type: string, object: Obj, created = Math.floor(Date.now() / 1000)): Obj {
    return {
      id: id('evt'),
      object: 'event',
      api_version: '2023-08-16',
      created,
      livemode: false,
      pending_webhooks: 1,
      type,
      data: { object },
    };
  }

  /** The session as `checkout.session.completed` carries it once the customer paid. */
  completedSession(sessionId: string): Obj {
    const session = this.sessions.get(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    return { ...session, status: 'complete', payment_status: 'paid' };
  }

  /** A subscription of a customer to a price (as Checkout in mode `subscription` leaves one). */
  subscribe(customerId: string, priceId: string, status = 'active'): Obj {
    const subscriptionId = id('sub');
    const subscription = {
      id: subscriptionId,
      object: 'subscription',
      customer: customerId,
      status,
      created: Math.floor(Date.now() / 1000),
      items: {
        object: 'list',
        data: [
          { id: id('si'), object: 'subscription_item', price: { id: priceId, object: 'price' } },
        ],
      },
    };
    this.subscriptions.set(subscriptionId, subscription);
    return subscription;
  }

  /** An invoice of a customer (each newer than the one before, as Stripe lists them). */
  addInvoice(
    customerId: string,
    over: { total: number; status: string; periodStart: number; periodEnd: number },
  ): Obj {
    const invoiceId = id('in');
    this.invoiceClock += 60;
    const invoice = {
      id: invoiceId,
      object: 'invoice',
      customer: customerId,
      number: `SB-${String(this.invoices.size + 1).padStart(4, '0')}`,
      status: over.status,
      currency: 'usd',
      total: over.total,
      amount_due: over.total,
      amount_paid: over.status === 'paid' ? over.total : 0,
      hosted_invoice_url: `https://invoice.stripe.test/i/${invoiceId}`,
      invoice_pdf: `https://pay.stripe.test/invoice/${invoiceId}/pdf`,
      period_start: over.periodStart,
      period_end: over.periodEnd,
      created: this.invoiceClock,
      livemode: false,
    };
    this.invoices.set(invoiceId, invoice);
    return invoice;
  }

  /** The price a subscription is on now. */
  priceOf(subscriptionId: string): string | undefined {
    const items = (this.subscriptions.get(subscriptionId)?.items as Obj | undefined)?.data as
      Obj[] | undefined;
    return (items?.[0]?.price as Obj | undefined)?.id as string | undefined;
  }

  /** `Stripe-Signature` for a payload, by the library (timestamp in seconds; default now). */
  sign(payload: string, timestamp?: number, secret = this.webhookSecret): string {
    return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    const url = new URL(req.url ?? '/', this.baseUrl);
    const send = (status: number, payload: Obj) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
      res.end(JSON.stringify(payload));
    };
    const fail = (status: number, type: string, message: string, extra: Obj = {}) =>
      send(status, { error: { type, message, ...extra } });

    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return fail(401, 'invalid_request_error', 'Invalid API Key provided.');
    }
    if (
      req.method === 'POST' &&
      !(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    ) {
      return fail(
        400,
        'invalid_request_error',
        'Content-Type must be application/x-www-form-urlencoded.',
      );
    }
    // GET and DELETE carry their parameters in the query string, POST in the form body.
    const params = parseStripeForm(req.method === 'POST' ? body : url.search.slice(1));
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    this.requests.push({ method: req.method ?? '', path: url.pathname, idempotencyKey, params });
    const problems = stripeSpecProblems(req.method ?? '', url.pathname, params);
    if (problems.length) {
      this.specViolations.push(...problems);
      return fail(400, 'invalid_request_error', `Not in Stripe's API: ${problems.join('; ')}`);
    }
    if (idempotencyKey) {
      const previous = this.idempotent.get(`${url.pathname} ${idempotencyKey}`);
      if (previous && previous.body !== body) {
        return fail(
          400,
          'idempotency_error',
          'Keys for idempotent requests can only be used with the same parameters they were first used with.',
        );
      }
      if (previous) {
        res.setHeader('idempotent-replayed', 'true');
        return send(previous.status, previous.response);
      }
    }
    const [status, response] = this.route(req.method ?? '', url.pathname, params);
    if (idempotencyKey && status < 500)
      this.idempotent.set(`${url.pathname} ${idempotencyKey}`, { body, status, response });
    send(status, response);
  }

  private route(method: string, path: string, p: Obj): [number, Obj] {
    const missing = (param: string): [number, Obj] => [
      400,
      {
        error: {
          type: 'invalid_request_error',
          code: 'parameter_missing',
          param,
          message: `Missing required param: ${param}.`,
        },
      },
    ];
    if (method === 'POST' && path === '/v1/customers') {
      const customer = {
        id: id('cus'),
        object: 'customer',
        metadata: p.metadata ?? {},
        created: Math.floor(Date.now() / 1000),
      };
      this.customers.set(customer.id, customer);
      return [200, customer];
    }
    const customerPath = /^\/v1\/customers\/([A-Za-z0-9_]+)$/.exec(path);
    if (method === 'GET' && customerPath) {
      const customer = this.customers.get(customerPath[1]);
      if (!customer) {
        return [
          404,
          {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              param: 'id',
              message: `No such customer: '${customerPath[1]}'`,
            },
          },
        ];
      }
      return [200, customer];
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      for (const param of ['mode', 'success_url']) if (!p[param]) return missing(param);
      const items = (p.line_items ?? []) as Obj[];
      if (items.length === 0) return missing('line_items');
      if (p.customer && !this.customers.has(p.customer as string)) {
        return [
          400,
          {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              param: 'customer',
              message: `No such customer: '${String(p.customer)}'`,
            },
          },
        ];
      }
      if (p.mode === 'subscription' && items.some((item) => !item.price)) {
        return [
          400,
          {
            error: {
              type: 'invalid_request_error',
              code: 'parameter_missing',
              param: 'line_items[0][price]',
              message: 'A subscription line item needs a price.',
            },
          },
        ];
      }
      const amount = items.reduce((sum, item) => {
        const data = (item.price_data ?? {}) as Obj;
        return sum + Number(item.quantity ?? 1) * Number(data.unit_amount ?? 0);
      }, 0);
      const currency =
        ((items[0].price_data as Obj | undefined)?.currency as string | undefined) ?? 'usd';
      const sessionId = id('cs_test');
      const session = {
        id: sessionId,
        object: 'checkout.session',
        mode: p.mode,
        status: 'open',
        payment_status: 'unpaid',
        amount_total: amount,
        currency,
        customer: p.customer ?? null,
        client_reference_id: p.client_reference_id ?? null,
        metadata: p.metadata ?? {},
        success_url: p.success_url,
        url: `https://checkout.stripe.test/c/pay/${sessionId}`,
      };
      this.sessions.set(sessionId, session);
      return [200, session];
    }
    const subscriptionPath = /^\/v1\/subscriptions\/([A-Za-z0-9_]+)$/.exec(path);
    if (subscriptionPath) {
      const subscription = this.subscriptions.get(subscriptionPath[1]);
      if (!subscription || (method === 'DELETE' && subscription.status === 'canceled')) {
        // Stripe answers a canceled subscription's cancel as if it did not exist.
        return [
          404,
          {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              param: 'id',
              message: `No such subscription: '${subscriptionPath[1]}'`,
            },
          },
        ];
      }
      if (method === 'GET') return [200, subscription];
      if (method === 'DELETE') {
        subscription.status = 'canceled';
        subscription.canceled_at = Math.floor(Date.now() / 1000);
        return [200, subscription];
      }
      if (method === 'POST') {
        if (subscription.status === 'canceled') {
          return [
            400,
            {
              error: {
                type: 'invalid_request_error',
                message:
                  'A canceled subscription can only update its cancellation_details and metadata.',
              },
            },
          ];
        }
        const behavior = p.proration_behavior as string | undefined;
        if (behavior && !['create_prorations', 'none', 'always_invoice'].includes(behavior)) {
          return [
            400,
            {
              error: {
                type: 'invalid_request_error',
                code: 'parameter_invalid_string',
                param: 'proration_behavior',
                message: `Invalid proration_behavior: must be one of create_prorations, none, or always_invoice`,
              },
            },
          ];
        }
        const items = (subscription.items as Obj).data as Obj[];
        for (const [index, item] of ((p.items ?? []) as Obj[]).entries()) {
          if (!item.price) return missing(`items[${index}][price]`);
          const existing = items.find((i) => i.id === item.id);
          if (item.id && !existing) {
            return [
              400,
              {
                error: {
                  type: 'invalid_request_error',
                  code: 'resource_missing',
                  param: `items[${index}][id]`,
                  message: `No such subscription item: '${String(item.id)}'`,
                },
              },
            ];
          }
          const price = { id: item.price, object: 'price' };
          if (existing) existing.price = price;
          else items.push({ id: id('si'), object: 'subscription_item', price });
        }
        return [200, subscription];
      }
    }
    if (method === 'POST' && path === '/v1/payment_intents') {
      for (const param of ['amount', 'currency']) if (!p[param]) return missing(param);
      const intent: Obj = {
        id: id('pi'),
        object: 'payment_intent',
        amount: Number(p.amount),
        currency: p.currency,
        customer: p.customer ?? null,
        payment_method: p.payment_method ?? null,
        metadata: p.metadata ?? {},
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        status: 'requires_payment_method',
      };
      this.paymentIntents.set(intent.id as string, intent);
      if (p.confirm !== 'true') return [200, intent];
      // Stripe's test cards: pm_card_chargeDeclined is declined, the others succeed.
      if (String(p.payment_method).includes('chargeDeclined')) {
        intent.last_payment_error = { type: 'card_error', code: 'card_declined' };
        return [
          402,
          {
            error: {
              type: 'card_error',
              code: 'card_declined',
              decline_code: 'generic_decline',
              message: 'Your card was declined.',
              payment_intent: intent,
            },
          },
        ];
      }
      intent.status = 'succeeded';
      return [200, intent];
    }
    if (method === 'GET' && path === '/v1/invoices') {
      const limit = p.limit === undefined ? 10 : Number(p.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        return [
          400,
          {
            error: {
              type: 'invalid_request_error',
              code: 'parameter_invalid_integer',
              param: 'limit',
              message: 'Invalid integer: limit must be between 1 and 100',
            },
          },
        ];
      }
      const all = [...this.invoices.values()]
        .filter((i) => !p.customer || i.customer === p.customer)
        .sort((a, b) => Number(b.created) - Number(a.created));
      let from = 0;
      if (p.starting_after) {
        from = all.findIndex((i) => i.id === p.starting_after) + 1;
        if (from === 0) {
          return [
            400,
            {
              error: {
                type: 'invalid_request_error',
                code: 'resource_missing',
                param: 'starting_after',
                message: `No such invoice: '${String(p.starting_after)}'`,
              },
            },
          ];
        }
      }
      return [
        200,
        {
          object: 'list',
          url: '/v1/invoices',
          has_more: all.length > from + limit,
          data: all.slice(from, from + limit),
        },
      ];
    }
    if (method === 'POST' && path === '/v1/billing/meter_events') {
      if (!p.event_name) return missing('event_name');
      const payload = (p.payload ?? {}) as Obj;
      if (!payload.stripe_customer_id) return missing('payload[stripe_customer_id]');
      if (!payload.value) return missing('payload[value]');
      const identifier = (p.identifier as string | undefined) ?? id('mev');
      const event = {
        object: 'billing.meter_event',
        event_name: p.event_name,
        identifier,
        payload,
        timestamp: Number(p.timestamp ?? 0),
        created: Math.floor(Date.now() / 1000),
        livemode: false,
      };
      if (!this.meterEvents.has(identifier)) this.meterEvents.set(identifier, event);
      return [200, event];
    }
    if (method === 'POST' && path === '/v1/billing_portal/sessions') {
      if (!p.customer) return missing('customer');
      if (!this.customers.has(p.customer as string)) {
        return [
          400,
          {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              param: 'customer',
              message: `No such customer: '${String(p.customer)}'`,
            },
          },
        ];
      }
      const portalId = id('bps');
      return [
        200,
        {
          id: portalId,
          object: 'billing_portal.session',
          customer: p.customer,
          return_url: p.return_url ?? null,
          url: `https://billing.stripe.test/p/session/${portalId}`,
        },
      ];
    }
    return [
      404,
      {
        error: {
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${path}).`,
        },
      },
    ];
  }
}
