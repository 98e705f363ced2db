import { register as registerLoaderHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Attributes, Span } from '@opentelemetry/api';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';

type SpanExporter = NodeSDKConfiguration['traceExporter'];
type SpanProcessor = NonNullable<NodeSDKConfiguration['spanProcessors']>[number];
type Instrumentation = NodeSDKConfiguration['instrumentations'][number];

export interface TracingOptions {
  /** `service.name` of every span. */
  serviceName: string;
  serviceVersion?: string;
  /**
   * Where spans go. Default: OTLP/HTTP when $OTEL_EXPORTER_OTLP_ENDPOINT (or the traces
   * one) is set, otherwise nowhere — spans are still made, so log lines and Kafka headers
   * carry trace ids.
   */
  traceExporter?: SpanExporter;
  /** Added to the standard set (http, express, graphql, pg, kafkajs). */
  instrumentations?: Instrumentation[];
}

export interface Tracing {
  readonly enabled: boolean;
  /** Flushes pending spans; call it last on shutdown. */
  shutdown(): Promise<void>;
}

/**
 * `OTEL_SDK_DISABLED=true` turns tracing off; otherwise `OTEL_ENABLED` decides, and when it
 * is not set tracing is on except under `NODE_ENV=test`.
 */
export function isTracingEnabled(env: Record<string, string | undefined> = process.env): boolean {
  const flag = (value: string | undefined) => value?.trim().toLowerCase() === 'true';
  if (flag(env.OTEL_SDK_DISABLED)) return false;
  if (env.OTEL_ENABLED?.trim()) return flag(env.OTEL_ENABLED);
  return env.NODE_ENV !== 'test';
}

// Modules the standard instrumentations patch, as imported by ESM code.
const INSTRUMENTED_MODULES = ['http', 'https', 'express', 'graphql', 'pg', 'kafkajs'];
const PROBES = /^\/(health\/(live|ready)|metrics)(\?|$)/;

let started: Tracing | undefined;

/**
 * Starts OpenTelemetry. Must run before the instrumented modules are loaded, so a service's
 * `main.ts` imports a file calling it before anything else (see the README). Calling it
 * again returns the first result.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (started) return started;
  if (!isTracingEnabled()) {
    started = { enabled: false, shutdown: async () => undefined };
    return started;
  }
  hookEsmImports();

  // Loaded only when tracing is on: the SDK is large, and its load must follow the hooks.
  const { NodeSDK } =
    require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { W3CTraceContextPropagator } =
    require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { defaultResource, resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } =
    require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation, ExpressLayerType } =
    require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { GraphQLInstrumentation } =
    require('@opentelemetry/instrumentation-graphql') as typeof import('@opentelemetry/instrumentation-graphql');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { KafkaJsInstrumentation } =
    require('@opentelemetry/instrumentation-kafkajs') as typeof import('@opentelemetry/instrumentation-kafkajs');

  const exporter = options.traceExporter ?? otlpExporterFromEnv();
  const sdk = new NodeSDK({
    resource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.serviceName,
        ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
      }),
    ),
    textMapPropagator: new W3CTraceContextPropagator(),
    ...(exporter ? { traceExporter: exporter } : { spanProcessors: [discardSpans] }),
    // Metrics are prom-client's and logs pino's: no OTel metric readers or log exporters.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => PROBES.test(request.url ?? ''),
        applyCustomAttributesOnSpan: (span) => dropQueryStrings(span),
      }),
      new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE] }),
      new GraphQLInstrumentation({ ignoreTrivialResolveSpans: true, mergeItems: true }),
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
      new KafkaJsInstrumentation(),
      ...(options.instrumentations ?? []),
    ],
  });
  sdk.start();

  let stopping: Promise<void> | undefined;
  started = { enabled: true, shutdown: () => (stopping ??= sdk.shutdown()) };
  return started;
}

/**
 * Nest 12 is ESM: what it imports (express, graphql, ...) never goes through `require()`,
 * which is all require-in-the-middle sees. import-in-the-middle's loader hook covers those
 * imports, limited to the instrumented modules.
 */
function hookEsmImports(): void {
  const include = INSTRUMENTED_MODULES.flatMap((name) =>
    ['http', 'https'].includes(name) ? [name, `node:${name}`] : [name],
  );
  const iitm =
    require('import-in-the-middle/register-hooks.mjs') as typeof import('import-in-the-middle/register-hooks.mjs');
  if (iitm.supportsSyncHooks()) {
    iitm.register({ include });
  } else {
    registerLoaderHooks('import-in-the-middle/hook.mjs', pathToFileURL(__filename), {
      data: { include },
    });
  }
}

function otlpExporterFromEnv(): SpanExporter | undefined {
  if (!process.env.OTEL_EXPORTER_OTLP_ENDPOINT && !process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    return undefined;
  }
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter(); // reads the endpoint, headers and timeout from OTEL_* itself
}

/** Spans with nowhere to go: made for their ids, then dropped. */
const discardSpans: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

/**
 * Query strings may hold phone numbers or emails (webhook callbacks, vendor APIs): spans keep
 * the path and the fact that there was a query, not its content.
 */
function dropQueryStrings(span: Span): void {
  const attributes = (span as Span & { attributes?: Attributes }).attributes ?? {};
  if (attributes['url.query'] !== undefined) span.setAttribute('url.query', 'REDACTED');
  const full = attributes['url.full'];
  if (typeof full === 'string' && full.includes('?')) {
    span.setAttribute('url.full', `${full.slice(0, full.indexOf('?'))}?REDACTED`);
  }
}
