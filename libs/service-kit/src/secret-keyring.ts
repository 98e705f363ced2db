import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { isDevelopmentMode, secret, z } from '@switchboard/config';

const FORMAT = 'v1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Third-party secrets at rest (carrier credentials, OAuth tokens, webhook signing secrets):
 * AES-256-GCM with a fresh 96-bit IV each time, stored as `v1.<keyId>.<iv>.<tag>.<ciphertext>`
 * (base64url parts). The key id travels with the ciphertext, so keys rotate without a flag
 * day: new values are sealed with the current key, old ones still open with the key they name,
 * and `isStale` finds what a re-encryption job should rewrite. The associated data binds a
 * ciphertext to its row (e.g. the row's id and column), so it cannot be moved to another one.
 */
export class SecretKeyring {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    keys: Record<string, Buffer>,
    readonly currentKeyId: string,
  ) {
    for (const [id, key] of Object.entries(keys)) {
      if (!KEY_ID.test(id)) throw new Error(`secret key id "${id}" must match ${KEY_ID}`);
      if (key.length !== 32) throw new Error(`secret key "${id}" must be 32 bytes`);
    }
    if (!keys[currentKeyId]) throw new Error(`no secret key with the current id "${currentKeyId}"`);
    this.keys = new Map(Object.entries(keys));
  }

  /** Seals `plaintext` with the current key, bound to `associatedData`. */
  seal(plaintext: string, associatedData: string): string {
    const key = this.keys.get(this.currentKeyId) as Buffer;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), body].map((part) => part.toString('base64url'));
    return [FORMAT, this.currentKeyId, ...parts].join('.');
  }

  /**
   * Opens a sealed value with the key it names. Throws when the format is unknown, the key id
   * is not in the ring, or the value was altered or sealed for other associated data.
   */
  open(sealed: string, associatedData: string): string {
    const { keyId, iv, tag, body } = parseSealed(sealed);
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`sealed with unknown key id "${keyId}"`);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }

  /** The key id a sealed value names. */
  keyIdOf(sealed: string): string {
    return parseSealed(sealed).keyId;
  }

  /** True when the value is sealed with a key other than the current one (re-seal it). */
  isStale(sealed: string): boolean {
    return this.keyIdOf(sealed) !== this.currentKeyId;
  }
}

function parseSealed(sealed: string) {
  const [format, keyId, iv, tag, body, ...rest] = sealed.split('.');
  if (format !== FORMAT || !keyId || !iv || !tag || body === undefined || rest.length > 0) {
    throw new Error('not a sealed secret');
  }
  return {
    keyId,
    iv: Buffer.from(iv, 'base64url'),
    tag: Buffer.from(tag, 'base64url'),
    body: Buffer.from(body, 'base64url'),
  };
}

/**
 * `SECRET_KEYS`: the keyring, `id:base64key` pairs separated by commas (each key 32 bytes);
 * `SECRET_KEY_ID`: the id new values are sealed with (default: the first listed). Spread into a
 * service's config shape; build the ring with `secretKeyringFromConfig`.
 */
export const secretKeyringConfigShape = {
  SECRET_KEYS: secret(
    z
      .string()
      .refine((value) => parseKeyList(value) !== undefined, {
        message: 'must be id:base64key pairs separated by commas, each key 32 bytes',
      })
      .optional(),
  ),
  SECRET_KEY_ID: z.string().regex(KEY_ID).optional(),
};

export interface SecretKeyringConfig {
  NODE_ENV?: string;
  SECRET_KEYS?: string;
  SECRET_KEY_ID?: string;
}

/** The id of the development stand-in key (development and test mode only). */
export const DEVELOPMENT_SECRET_KEY_ID = 'dev';

/**
 * The keyring from SECRET_KEYS/SECRET_KEY_ID. Outside development and test mode SECRET_KEYS is
 * required; in those modes a fixed, publicly known key named `dev` stands in (`service` makes
 * each service's stand-in different). `problems` lists what is wrong, for the boot error.
 */
export function secretKeyringFromConfig(
  config: SecretKeyringConfig,
  service: string,
): { keyring?: SecretKeyring; problems: string[] } {
  if (!config.SECRET_KEYS) {
    if (!isDevelopmentMode(config)) {
      return { problems: ['SECRET_KEYS is required in production'] };
    }
    const key = createHash('sha256').update(`switchboard ${service} development key`).digest();
    return {
      keyring: new SecretKeyring({ [DEVELOPMENT_SECRET_KEY_ID]: key }, DEVELOPMENT_SECRET_KEY_ID),
      problems: [],
    };
  }
  const keys = parseKeyList(config.SECRET_KEYS) ?? {};
  const currentKeyId = config.SECRET_KEY_ID ?? Object.keys(keys)[0];
  if (!currentKeyId || !keys[currentKeyId]) {
    return { problems: [`SECRET_KEY_ID "${currentKeyId}" is not one of SECRET_KEYS`] };
  }
  return { keyring: new SecretKeyring(keys, currentKeyId), problems: [] };
}

function parseKeyList(value: string): Record<string, Buffer> | undefined {
  const keys: Record<string, Buffer> = {};
  for (const pair of value.split(',')) {
    const separator = pair.indexOf(':');
    const id = pair.slice(0, separator).trim();
    const key = Buffer.from(pair.slice(separator + 1).trim(), 'base64');
    if (separator < 1 || !KEY_ID.test(id) || key.length !== 32 || keys[id]) return undefined;
    keys[id] = key;
  }
  return keys;
}

/**
 * Provides the service's `SecretKeyring` to every module (inject it by its class:
 * `constructor(private readonly keyring: SecretKeyring)`).
 */
@Global()
@Module({})
export class SecretKeyringModule {
  static forRoot(keyring: SecretKeyring): DynamicModule {
    return {
      module: SecretKeyringModule,
      providers: [{ provide: SecretKeyring, useValue: keyring }],
      exports: [SecretKeyring],
    };
  }
}
