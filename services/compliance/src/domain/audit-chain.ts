import { createHash } from 'node:crypto';

/**
 * The audit log's hash chain. Each organization has its own chain (platform-level entries, those
 * with no organization, have one of their own under PLATFORM_CHAIN_ORG_ID); an entry's hash is
 * SHA-256(prev_hash || canonical(entry)), and its prev_hash is the previous entry's hash, or the
 * chain's anchor: the genesis hash of the organization, or — once the oldest entries were
 * deleted by retention — the hash of the last deleted entry (the checkpoint). Changing, removing
 * or reordering any stored entry changes a hash that a later entry or the chain head recorded,
 * so verification names the first entry that no longer fits.
 */

/** The chain of platform-level entries (AuditEvent.org_id empty): the nil UUID. */
export const PLATFORM_CHAIN_ORG_ID = '00000000-0000-0000-0000-000000000000';

/** The chain an event belongs to: its organization, or the platform chain. */
export function chainOf(orgId: string | undefined | null): string {
  return orgId ? orgId.toLowerCase() : PLATFORM_CHAIN_ORG_ID;
}

/** Version tag of the canonical form: part of every hashed text, so a new form never collides. */
export const AUDIT_CANONICAL_VERSION = 'switchboard.audit.v1';

/** What an entry records (every stored field but its chain links). */
export interface AuditEntryContent {
  /** The chain (organization, or PLATFORM_CHAIN_ORG_ID). */
  orgId: string;
  /** Position in the chain: 1, 2, 3… without gaps. */
  sequence: number;
  /** The event's id (AuditEvent.id). */
  id: string;
  occurredAt: Date;
  receivedAt: Date;
  actorType: string;
  actorId: string;
  actorOrgId: string;
  action: string;
  resourceType: string;
  resourceId: string;
  privileged: boolean;
  reason: string;
  outcome: string;
  requestId: string;
  correlationId: string;
  sourceService: string;
  metadata: Readonly<Record<string, string>>;
}

/** An entry as stored: its content and its links. */
export interface ChainedAuditEntry extends AuditEntryContent {
  prevHash: string;
  hash: string;
}

/** Where a chain (or the rest of it) starts: after `sequence`, whose hash was `hash`. */
export interface ChainAnchor {
  sequence: number;
  hash: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The first link of an organization's chain. */
export function genesisHash(orgId: string): string {
  return sha256(`${AUDIT_CANONICAL_VERSION}:genesis:${orgId.toLowerCase()}`);
}

/** The anchor of a chain nothing was deleted from. */
export function genesisAnchor(orgId: string): ChainAnchor {
  return { sequence: 0, hash: genesisHash(orgId) };
}

/**
 * The canonical text of an entry: a JSON object with its keys in code-point order, times as ISO
 * 8601 in milliseconds (what the log stores), metadata as [key, value] pairs sorted by key (a
 * plain object would reorder integer-like keys). Any change of any stored field changes it.
 */
export function canonicalAuditEntry(entry: AuditEntryContent): string {
  const metadata = Object.keys(entry.metadata)
    .sort(compareCodePoints)
    .map((key) => [key, entry.metadata[key]]);
  const fields: [string, unknown][] = [
    ['action', entry.action],
    ['actorId', entry.actorId],
    ['actorOrgId', entry.actorOrgId],
    ['actorType', entry.actorType],
    ['correlationId', entry.correlationId],
    ['id', entry.id.toLowerCase()],
    ['metadata', metadata],
    ['occurredAt', entry.occurredAt.toISOString()],
    ['orgId', entry.orgId.toLowerCase()],
    ['outcome', entry.outcome],
    ['privileged', entry.privileged],
    ['reason', entry.reason],
    ['receivedAt', entry.receivedAt.toISOString()],
    ['requestId', entry.requestId],
    ['resourceId', entry.resourceId],
    ['resourceType', entry.resourceType],
    ['sequence', entry.sequence],
    ['sourceService', entry.sourceService],
    ['v', AUDIT_CANONICAL_VERSION],
  ];
  return `{${fields.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The hash of an entry that follows `prevHash`. */
export function entryHash(prevHash: string, entry: AuditEntryContent): string {
  return sha256(prevHash + canonicalAuditEntry(entry));
}

/** Links a new entry to the chain after `anchor` (the current head). */
export function appendToChain(
  anchor: ChainAnchor,
  content: Omit<AuditEntryContent, 'sequence'>,
): ChainedAuditEntry {
  const entry: AuditEntryContent = { ...content, sequence: anchor.sequence + 1 };
  return { ...entry, prevHash: anchor.hash, hash: entryHash(anchor.hash, entry) };
}

/**
 * Why a link is broken:
 * - `SEQUENCE_GAP`: entries before this one are missing (deleted), or out of order;
 * - `PREV_HASH_MISMATCH`: the entry does not point at the previous entry's hash (an entry
 *   before it was changed, replaced or removed, or its own prev_hash was changed);
 * - `HASH_MISMATCH`: the entry's content no longer gives its stored hash (it was changed);
 * - `HEAD_MISMATCH`: the last entries are missing or the last one differs from the chain head
 *   (the chain was cut at the end). It names the last entry found, if any.
 */
export type BrokenLinkReason =
  'SEQUENCE_GAP' | 'PREV_HASH_MISMATCH' | 'HASH_MISMATCH' | 'HEAD_MISMATCH';

export interface BrokenLink {
  sequence: number;
  /** The entry found there (for HEAD_MISMATCH on an empty chain: none). */
  id: string | null;
  reason: BrokenLinkReason;
  expected: string;
  found: string;
}

export interface ChainCheck {
  /** Entries whose links were checked before the first broken one (or all). */
  checked: number;
  /** The anchor after the last good entry: where the next segment continues. */
  anchor: ChainAnchor;
  broken?: BrokenLink;
}

/**
 * Checks `entries` (ordered by sequence) as the continuation of the chain after `anchor`, and
 * stops at the first broken link. Call it segment by segment with the returned anchor to check a
 * chain of any length in constant memory.
 */
export function verifyChainSegment(
  anchor: ChainAnchor,
  entries: Iterable<ChainedAuditEntry>,
): ChainCheck {
  let current = anchor;
  let checked = 0;
  for (const entry of entries) {
    const broken = checkLink(current, entry);
    if (broken) return { checked, anchor: current, broken };
    current = { sequence: entry.sequence, hash: entry.hash };
    checked += 1;
  }
  return { checked, anchor: current };
}

function checkLink(previous: ChainAnchor, entry: ChainedAuditEntry): BrokenLink | undefined {
  const at = { sequence: entry.sequence, id: entry.id };
  if (entry.sequence !== previous.sequence + 1) {
    return {
      ...at,
      reason: 'SEQUENCE_GAP',
      expected: String(previous.sequence + 1),
      found: String(entry.sequence),
    };
  }
  if (entry.prevHash !== previous.hash) {
    return { ...at, reason: 'PREV_HASH_MISMATCH', expected: previous.hash, found: entry.prevHash };
  }
  const recomputed = entryHash(entry.prevHash, entry);
  if (recomputed !== entry.hash) {
    return { ...at, reason: 'HASH_MISMATCH', expected: recomputed, found: entry.hash };
  }
  return undefined;
}

/**
 * The last check, once every entry was verified: the chain must end where its head (written
 * with every append) says it does. `lastId` is the id of the last entry verified, if any.
 */
export function checkChainEnd(
  verifiedTo: ChainAnchor,
  head: ChainAnchor,
  lastId: string | null,
): BrokenLink | undefined {
  if (verifiedTo.sequence === head.sequence && verifiedTo.hash === head.hash) return undefined;
  return {
    sequence: verifiedTo.sequence,
    id: lastId,
    reason: 'HEAD_MISMATCH',
    expected: `${head.sequence}:${head.hash}`,
    found: `${verifiedTo.sequence}:${verifiedTo.hash}`,
  };
}

/** A whole chain from its anchor to its head, in memory (small chains, tests). */
export function verifyChain(
  anchor: ChainAnchor,
  entries: readonly ChainedAuditEntry[],
  head?: ChainAnchor,
): ChainCheck {
  const result = verifyChainSegment(anchor, entries);
  if (result.broken || !head) return result;
  const last = entries.at(-1);
  const broken = checkChainEnd(result.anchor, head, last?.id ?? null);
  return broken ? { ...result, broken } : result;
}
