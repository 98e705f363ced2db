import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair as generateKeyPairCb,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { DataSource } from 'typeorm';
import { TokenRejection, type SigningKeySource } from '@switchboard/auth';
import type { Clock } from '@switchboard/service-kit';
import { inGlobalTransaction } from '@switchboard/tenancy';
import type { Tx } from '../common/db-context';
import { KeyEncryption } from './key-encryption';
import { SigningKeysRepository, type KeyRow } from './signing-keys.repository';

const generateKeyPair = promisify(generateKeyPairCb);

/** Advisory lock serializing key creation across replicas and the rotation command. */
/** Replicas re-read the keys this often, so a rotation made elsewhere is seen within it. */
const CACHE_MS = 30_000;

export interface SigningKeysOptions {
  encryptionKey: string;
  /**
   * How long a retired key stays published: the longest lifetime of a token it signed plus
   * the verifiers' clock leeway and caching.
   */
  retentionSeconds: number;
}

export interface PublishedKey {
  kid: string;
  jwk: JWK;
  activeFrom: Date;
  retiredAt: Date | null;
}

export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyObject;
}

/**
 * The RS256 keys access tokens are signed with, kept in the database with the private half
 * encrypted (AES-256-GCM, key from config). Rotation adds a key that signs from its
 * `active_from` on and retires the previous one at that instant; a retired key stays in the
 * JWKS for `retentionSeconds`, until every token it signed has expired.
 */
export class SigningKeys implements SigningKeySource {
  private readonly box: KeyEncryption;
  private cache?: { at: number; keys: KeyRow[] };
  private readonly privateKeys = new Map<string, KeyObject>();
  private lastMissReload = 0;
  private readonly repository = new SigningKeysRepository();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly options: SigningKeysOptions,
  ) {
    this.box = new KeyEncryption(options.encryptionKey);
  }

  /** Makes sure a key can sign now (first start of a fresh database). */
  async ensureSigningKey(): Promise<void> {
    await inGlobalTransaction(this.dataSource, async (tx) => {
      await this.repository.lock(tx);
      const now = this.clock.now();
      if (!(await this.repository.hasUsableKey(tx, now))) await this.insertKey(tx, now);
    });
    this.cache = undefined;
  }

  /**
   * Adds a new key, signing from `now + activateInSeconds` (publish first, sign later, so
   * verifiers with a cached JWKS have time to see it), and retires the current ones then.
   */
  async rotate(
    activateInSeconds = 0,
  ): Promise<{ kid: string; activeFrom: Date; retired: string[] }> {
    const result = await inGlobalTransaction(this.dataSource, async (tx) => {
      await this.repository.lock(tx);
      const now = this.clock.now();
      const activeFrom = new Date(now.getTime() + activateInSeconds * 1000);
      const retired = await this.repository.retireFrom(tx, activeFrom);
      const kid = await this.insertKey(tx, activeFrom);
      // Keys no token can carry any more leave the table.
      await this.repository.deleteRetiredBefore(
        tx,
        new Date(now.getTime() - this.options.retentionSeconds * 1000),
      );
      return { kid, activeFrom, retired };
    });
    this.cache = undefined;
    return result;
  }

  /** The key that signs now: the newest active one. */
  async signingKey(): Promise<ActiveSigningKey> {
    const now = this.clock.now().getTime();
    const pick = (keys: KeyRow[]) =>
      keys
        .filter(
          (k) => k.active_from.getTime() <= now && (!k.retired_at || k.retired_at.getTime() > now),
        )
        .sort((a, b) => b.active_from.getTime() - a.active_from.getTime())[0];
    let key = pick(await this.keys());
    if (!key) {
      await this.ensureSigningKey();
      key = pick(await this.keys());
    }
    if (!key) throw new Error('no signing key is active');
    let privateKey = this.privateKeys.get(key.kid);
    if (!privateKey) {
      privateKey = createPrivateKey(
        this.box.decrypt(key.private_key_encrypted, key.kid).toString('utf8'),
      );
      this.privateKeys.set(key.kid, privateKey);
    }
    return { kid: key.kid, privateKey };
  }

  /** The keys verifiers must know: active, future and recently retired ones. */
  async published(): Promise<PublishedKey[]> {
    const horizon = this.clock.now().getTime() - this.options.retentionSeconds * 1000;
    return (await this.keys())
      .filter((k) => !k.retired_at || k.retired_at.getTime() > horizon)
      .map((k) => ({
        kid: k.kid,
        jwk: k.public_jwk,
        activeFrom: k.active_from,
        retiredAt: k.retired_at,
      }));
  }

  /** The JWKS document. */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.published()).map((k) => k.jwk) };
  }

  /** For this service's own token verification (libs/auth JwtVerifier), without HTTP. */
  async publicKey(kid: string): Promise<string> {
    let key = (await this.published()).find((k) => k.kid === kid);
    if (!key && Date.now() - this.lastMissReload > 1000) {
      // A key rotated in by another process: read again, at most once a second.
      this.lastMissReload = Date.now();
      this.cache = undefined;
      key = (await this.published()).find((k) => k.kid === kid);
    }
    if (!key) throw new TokenRejection('unknown_key', 'no signing key with this kid');
    return createPublicKey({ key: key.jwk as never, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
  }

  private async keys(): Promise<KeyRow[]> {
    if (this.cache && Date.now() - this.cache.at < CACHE_MS) return this.cache.keys;
    const keys = await this.repository.all(this.dataSource.manager);
    this.cache = { at: Date.now(), keys };
    return keys;
  }

  private async insertKey(tx: Tx, activeFrom: Date): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
    const base = publicKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint({ kty: base.kty!, n: base.n!, e: base.e! });
    const jwk: JWK = { kty: base.kty, n: base.n, e: base.e, kid, alg: 'RS256', use: 'sig' };
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await this.repository.insert(tx, {
      kid,
      publicJwk: jwk,
      privateKeyEncrypted: this.box.encrypt(pem, kid),
      createdAt: this.clock.now(),
      activeFrom,
    });
    return kid;
  }
}
