import { accessSync, constants, readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { env, secret, z } from '@switchboard/config';

/** An optional text variable; an empty value counts as unset. */
const optionalText = () =>
  z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined));

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/**
 * How a service connects to a real Kafka cluster: TLS and SASL. Spread into every service's
 * `loadConfig` shape; check with {@link kafkaSecurityProblems} at boot; hand
 * {@link kafkaSecurityOptions} to `EventsModule` (`security`). All off by default (the local
 * broker speaks plaintext).
 */
export const kafkaSecurityConfigShape = {
  /** TLS to the brokers. With no CA file the system's trusted CAs verify them. */
  KAFKA_SSL: env.bool(false),
  /** PEM file of the CA that signed the brokers' certificates (a private CA). */
  KAFKA_SSL_CA_FILE: optionalText(),
  /** PEM files of a client certificate and its key (mutual TLS); both or neither. */
  KAFKA_SSL_CERT_FILE: optionalText(),
  KAFKA_SSL_KEY_FILE: optionalText(),
  /** SASL authentication: `plain`, `scram-sha-256` or `scram-sha-512` (unset: none). */
  KAFKA_SASL_MECHANISM: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim().toLowerCase() : undefined))
    .pipe(z.enum(KAFKA_SASL_MECHANISMS).optional()),
  KAFKA_SASL_USERNAME: optionalText(),
  KAFKA_SASL_PASSWORD: secret(optionalText()),
};

export interface KafkaSecurityConfig {
  KAFKA_SSL: boolean;
  KAFKA_SSL_CA_FILE?: string;
  KAFKA_SSL_CERT_FILE?: string;
  KAFKA_SSL_KEY_FILE?: string;
  KAFKA_SASL_MECHANISM?: KafkaSaslMechanism;
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
}

/** The TLS and SASL part of a kafkajs client's options. */
export type KafkaSecurity = Pick<KafkaConfig, 'ssl' | 'sasl'>;

const FILES = ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const;

/**
 * What is wrong with the settings, one line per problem naming the variable (never a value),
 * for the service's boot-time ConfigError: a SASL mechanism without its username or password,
 * credentials without a mechanism, a certificate without its key (or the reverse), TLS files
 * without KAFKA_SSL, a file that cannot be read.
 */
export function kafkaSecurityProblems(
  config: KafkaSecurityConfig,
  readable: (path: string) => boolean = isReadable,
): string[] {
  const problems: string[] = [];
  if (config.KAFKA_SASL_MECHANISM) {
    if (!config.KAFKA_SASL_USERNAME)
      problems.push('KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set');
    if (!config.KAFKA_SASL_PASSWORD)
      problems.push('KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set');
  } else if (config.KAFKA_SASL_USERNAME || config.KAFKA_SASL_PASSWORD) {
    problems.push(
      'KAFKA_SASL_MECHANISM is required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set',
    );
  }
  if (config.KAFKA_SSL_CERT_FILE && !config.KAFKA_SSL_KEY_FILE)
    problems.push('KAFKA_SSL_KEY_FILE is required when KAFKA_SSL_CERT_FILE is set');
  if (config.KAFKA_SSL_KEY_FILE && !config.KAFKA_SSL_CERT_FILE)
    problems.push('KAFKA_SSL_CERT_FILE is required when KAFKA_SSL_KEY_FILE is set');
  for (const name of FILES) {
    const path = config[name];
    if (!path) continue;
    if (!config.KAFKA_SSL) problems.push(`${name} is set but KAFKA_SSL is not true`);
    else if (!readable(path)) problems.push(`${name}: cannot read the file`);
  }
  return problems;
}

/**
 * The kafkajs `ssl`/`sasl` options of the settings (which {@link kafkaSecurityProblems} has
 * accepted). Files are read here, once, at boot. Nothing is returned for what is off, so the
 * defaults of the local broker stay untouched.
 */
export function kafkaSecurityOptions(
  config: KafkaSecurityConfig,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (config.KAFKA_SSL) {
    const tls: ConnectionOptions = {};
    if (config.KAFKA_SSL_CA_FILE) tls.ca = [readFile(config.KAFKA_SSL_CA_FILE)];
    if (config.KAFKA_SSL_CERT_FILE) tls.cert = readFile(config.KAFKA_SSL_CERT_FILE);
    if (config.KAFKA_SSL_KEY_FILE) tls.key = readFile(config.KAFKA_SSL_KEY_FILE);
    security.ssl = Object.keys(tls).length > 0 ? tls : true;
  }
  if (config.KAFKA_SASL_MECHANISM) {
    security.sasl = {
      mechanism: config.KAFKA_SASL_MECHANISM,
      username: config.KAFKA_SASL_USERNAME ?? '',
      password: config.KAFKA_SASL_PASSWORD ?? '',
    } as SASLOptions;
  }
  return security;
}

function isReadable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
