/**
 * Kafka header names of the event envelope: the CloudEvents Kafka protocol binding (binary
 * mode: attributes as `ce_`-prefixed headers, the protobuf payload as the record value), our
 * CloudEvents extension attributes, and W3C trace context. Values are UTF-8 strings.
 * proto/README.md describes each one.
 */
export const CloudEventHeaders = {
  /** Always {@link CLOUDEVENTS_SPEC_VERSION}. */
  specVersion: 'ce_specversion',
  /** Unique event id (UUID); consumers deduplicate on it. */
  id: 'ce_id',
  /** Full protobuf name of the concrete event (`TopicSpec.ceTypes`, `ceTypeOf`). */
  type: 'ce_type',
  /** The producing service as a URI reference, `/switchboard/<service>`. */
  source: 'ce_source',
  /** When the event happened, RFC 3339 with a `Z` offset. */
  time: 'ce_time',
  /** The resource the event is about, normally the record key (message id, org id...). */
  subject: 'ce_subject',
  /** Media type of the record value: {@link PROTOBUF_CONTENT_TYPE}. */
  contentType: 'content-type',
  /** Extension: the tenant (organization id); absent for platform-level events. */
  orgId: 'ce_orgid',
  /** Extension: id shared by everything one user action caused, across services. */
  correlationId: 'ce_correlationid',
  /** Extension: `ce_id` of the event (or id of the request) that caused this one. */
  causationId: 'ce_causationid',
  /** W3C trace context, as OpenTelemetry propagates it. */
  traceparent: 'traceparent',
  /** W3C trace context vendor state. */
  tracestate: 'tracestate',
} as const;

export type CloudEventHeader = (typeof CloudEventHeaders)[keyof typeof CloudEventHeaders];

export const CLOUDEVENTS_SPEC_VERSION = '1.0';

/** The record value is the binary protobuf encoding of the topic's schema. */
export const PROTOBUF_CONTENT_TYPE = 'application/protobuf';

/** `ce_source` of a service's events. */
export function ceSource(service: string): string {
  return `/switchboard/${service}`;
}
