import { createHash } from 'node:crypto';
import {
  appendToChain,
  canonicalAuditEntry,
  chainOf,
  checkChainEnd,
  entryHash,
  genesisAnchor,
  genesisHash,
  PLATFORM_CHAIN_ORG_ID,
  verifyChain,
  verifyChainSegment,
  type AuditEntryContent,
  type ChainAnchor,
  type ChainedAuditEntry,
} from './audit-chain';

const ORG = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

function content(n: number, orgId = ORG): Omit<AuditEntryContent, 'sequence'> {
  return {
    orgId,
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    occurredAt: new Date(Date.UTC(2030, 0, 1, 0, 0, n)),
    receivedAt: new Date(Date.UTC(2030, 0, 1, 0, 0, n, 5)),
    actorType: 'USER',
    actorId: `user-${n}`,
    actorOrgId: orgId,
    action: 'device.remove',
    resourceType: 'device',
    resourceId: `device-${n}`,
    privileged: false,
    reason: '',
    outcome: 'SUCCESS',
    requestId: `req-${n}`,
    correlationId: `corr-${n}`,
    sourceService: 'devices',
    metadata: { b: '2', a: '1' },
  };
}

function chain(count: number, orgId = ORG, anchor: ChainAnchor = genesisAnchor(orgId)) {
  const entries: ChainedAuditEntry[] = [];
  let head = anchor;
  for (let n = 1; n <= count; n++) {
    const entry = appendToChain(head, content(n, orgId));
    entries.push(entry);
    head = { sequence: entry.sequence, hash: entry.hash };
  }
  return { entries, head };
}

describe('audit chain', () => {
  describe('genesis and chains', () => {
    it('has one genesis hash per organization, stable and case-insensitive', () => {
      expect(genesisHash(ORG)).toBe(genesisHash(ORG.toUpperCase()));
      expect(genesisHash(ORG)).not.toBe(genesisHash(OTHER));
      expect(genesisHash(ORG)).toMatch(/^[0-9a-f]{64}$/);
      expect(genesisAnchor(ORG)).toEqual({ sequence: 0, hash: genesisHash(ORG) });
    });

    it('puts entries without an organization on the platform chain', () => {
      expect(chainOf('')).toBe(PLATFORM_CHAIN_ORG_ID);
      expect(chainOf(undefined)).toBe(PLATFORM_CHAIN_ORG_ID);
      expect(chainOf(ORG.toUpperCase())).toBe(ORG);
      expect(genesisHash(PLATFORM_CHAIN_ORG_ID)).not.toBe(genesisHash(ORG));
    });
  });

  describe('canonical form', () => {
    const base = { ...content(1), sequence: 1 };

    it('is JSON with sorted keys and sorted metadata pairs, whatever the insertion order', () => {
      const text = canonicalAuditEntry(base);
      const parsed = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(parsed)).toEqual([...Object.keys(parsed)].sort());
      expect(parsed.metadata).toEqual([
        ['a', '1'],
        ['b', '2'],
      ]);
      expect(canonicalAuditEntry({ ...base, metadata: { a: '1', b: '2' } })).toBe(text);
      expect(parsed.occurredAt).toBe('2030-01-01T00:00:01.000Z');
      expect(parsed.v).toBe('switchboard.audit.v1');
    });

    it('keeps integer-like metadata keys in code-point order (not JS object order)', () => {
      const text = canonicalAuditEntry({ ...base, metadata: { b: 'x', '10': 'y', '2': 'z' } });
      expect((JSON.parse(text) as { metadata: unknown }).metadata).toEqual([
        ['10', 'y'],
        ['2', 'z'],
        ['b', 'x'],
      ]);
    });

    it('ignores the case of ids but nothing else', () => {
      expect(canonicalAuditEntry({ ...base, id: base.id.toUpperCase() })).toBe(
        canonicalAuditEntry(base),
      );
      expect(canonicalAuditEntry({ ...base, actorId: 'USER-1' })).not.toBe(
        canonicalAuditEntry(base),
      );
    });

    const changes: [string, Partial<AuditEntryContent>][] = [
      ['orgId', { orgId: OTHER }],
      ['sequence', { sequence: 2 }],
      ['id', { id: '00000000-0000-4000-8000-999999999999' }],
      ['occurredAt', { occurredAt: new Date(base.occurredAt.getTime() + 1) }],
      ['receivedAt', { receivedAt: new Date(base.receivedAt.getTime() + 1) }],
      ['actorType', { actorType: 'API_TOKEN' }],
      ['actorId', { actorId: 'someone-else' }],
      ['actorOrgId', { actorOrgId: OTHER }],
      ['action', { action: 'device.read' }],
      ['resourceType', { resourceType: 'message' }],
      ['resourceId', { resourceId: 'device-2' }],
      ['privileged', { privileged: true }],
      ['reason', { reason: 'support ticket 42' }],
      ['outcome', { outcome: 'DENIED' }],
      ['requestId', { requestId: 'req-x' }],
      ['correlationId', { correlationId: 'corr-x' }],
      ['sourceService', { sourceService: 'messaging' }],
      ['metadata value', { metadata: { a: '1', b: '3' } }],
      ['metadata key added', { metadata: { a: '1', b: '2', c: '' } }],
      ['metadata key removed', { metadata: { a: '1' } }],
    ];
    it.each(changes)('changes with %s, and so does the hash', (_field, change) => {
      const changed = { ...base, ...change };
      expect(canonicalAuditEntry(changed)).not.toBe(canonicalAuditEntry(base));
      expect(entryHash('x', changed)).not.toBe(entryHash('x', base));
    });

    it('cannot be confused by separators inside values', () => {
      const a = { ...base, actorId: 'a","actorOrgId":"b', actorOrgId: '' };
      const b = { ...base, actorId: 'a', actorOrgId: 'b' };
      expect(canonicalAuditEntry(a)).not.toBe(canonicalAuditEntry(b));
    });

    it('hashes SHA-256 over the previous hash then the canonical text', () => {
      // Fixed vector: the format is a contract with every stored chain.
      const expected = createHash('sha256')
        .update('prev' + canonicalAuditEntry(base))
        .digest('hex');
      expect(entryHash('prev', base)).toBe(expected);
      expect(entryHash('other', base)).not.toBe(expected);
    });
  });

  describe('appending', () => {
    it('numbers entries from the anchor and links each to the one before', () => {
      const { entries, head } = chain(3);
      expect(entries.map((e) => e.sequence)).toEqual([1, 2, 3]);
      expect(entries[0].prevHash).toBe(genesisHash(ORG));
      expect(entries[1].prevHash).toBe(entries[0].hash);
      expect(entries[2].prevHash).toBe(entries[1].hash);
      expect(head).toEqual({ sequence: 3, hash: entries[2].hash });
    });

    it('gives the same content different hashes in different chains or places', () => {
      const a = appendToChain(genesisAnchor(ORG), content(1));
      const b = appendToChain(genesisAnchor(OTHER), content(1));
      const c = appendToChain({ sequence: 7, hash: genesisHash(ORG) }, content(1));
      expect(new Set([a.hash, b.hash, c.hash]).size).toBe(3);
    });
  });

  describe('verification', () => {
    it('accepts an intact chain, an empty one and a chain continued from a checkpoint', () => {
      const { entries, head } = chain(5);
      expect(verifyChain(genesisAnchor(ORG), entries, head)).toEqual({
        checked: 5,
        anchor: head,
      });
      expect(verifyChain(genesisAnchor(ORG), [], genesisAnchor(ORG))).toEqual({
        checked: 0,
        anchor: genesisAnchor(ORG),
      });
      // Retention deleted entries 1–2; the checkpoint keeps the hash of entry 2.
      const checkpoint = { sequence: 2, hash: entries[1].hash };
      expect(verifyChain(checkpoint, entries.slice(2), head)).toEqual({ checked: 3, anchor: head });
    });

    it('names an entry whose content was changed (HASH_MISMATCH)', () => {
      const { entries, head } = chain(5);
      entries[2] = { ...entries[2], actorId: 'mallory' };
      const result = verifyChain(genesisAnchor(ORG), entries, head);
      expect(result.checked).toBe(2);
      expect(result.broken).toMatchObject({
        sequence: 3,
        id: entries[2].id,
        reason: 'HASH_MISMATCH',
        found: entries[2].hash,
      });
      expect(result.broken!.expected).not.toBe(entries[2].hash);
    });

    it('names the entry after one that was changed and re-hashed (PREV_HASH_MISMATCH)', () => {
      const { entries, head } = chain(5);
      const forged = { ...entries[1], action: 'nothing.happened' };
      entries[1] = { ...forged, hash: entryHash(forged.prevHash, forged) };
      const result = verifyChain(genesisAnchor(ORG), entries, head);
      expect(result.broken).toMatchObject({
        sequence: 3,
        id: entries[2].id,
        reason: 'PREV_HASH_MISMATCH',
        expected: entries[1].hash,
        found: entries[2].prevHash,
      });
    });

    it('names the entry after a deleted middle one (SEQUENCE_GAP)', () => {
      const { entries, head } = chain(5);
      const result = verifyChain(
        genesisAnchor(ORG),
        [...entries.slice(0, 2), ...entries.slice(3)],
        head,
      );
      expect(result.checked).toBe(2);
      expect(result.broken).toEqual({
        sequence: 4,
        id: entries[3].id,
        reason: 'SEQUENCE_GAP',
        expected: '3',
        found: '4',
      });
    });

    it('finds a deleted first entry when no checkpoint records it', () => {
      const { entries, head } = chain(3);
      expect(verifyChain(genesisAnchor(ORG), entries.slice(1), head).broken).toMatchObject({
        sequence: 2,
        reason: 'SEQUENCE_GAP',
      });
    });

    it('finds a deleted first entry that was renumbered (PREV_HASH_MISMATCH on the new first)', () => {
      const { entries, head } = chain(3);
      const renumbered = entries.slice(1).map((e) => ({ ...e, sequence: e.sequence - 1 }));
      expect(verifyChain(genesisAnchor(ORG), renumbered, head).broken).toMatchObject({
        sequence: 1,
        id: entries[1].id,
        reason: 'PREV_HASH_MISMATCH',
      });
    });

    it('finds deleted last entries through the head (HEAD_MISMATCH)', () => {
      const { entries, head } = chain(4);
      const result = verifyChain(genesisAnchor(ORG), entries.slice(0, 3), head);
      expect(result.checked).toBe(3);
      expect(result.broken).toEqual({
        sequence: 3,
        id: entries[2].id,
        reason: 'HEAD_MISMATCH',
        expected: `4:${head.hash}`,
        found: `3:${entries[2].hash}`,
      });
      expect(verifyChain(genesisAnchor(ORG), [], head).broken).toMatchObject({
        sequence: 0,
        id: null,
        reason: 'HEAD_MISMATCH',
      });
    });

    it('finds swapped entries and entries of another chain', () => {
      const { entries, head } = chain(4);
      const swapped = [entries[0], entries[2], entries[1], entries[3]];
      expect(verifyChain(genesisAnchor(ORG), swapped, head).broken).toMatchObject({
        sequence: 3,
        reason: 'SEQUENCE_GAP',
      });
      const foreign = chain(4, OTHER).entries;
      expect(verifyChain(genesisAnchor(ORG), foreign).broken).toMatchObject({
        sequence: 1,
        reason: 'PREV_HASH_MISMATCH',
        expected: genesisHash(ORG),
        found: genesisHash(OTHER),
      });
    });

    it('gives the same answer segment by segment as in one go', () => {
      const { entries, head } = chain(10);
      entries[7] = { ...entries[7], outcome: 'FAILED' };
      let anchor = genesisAnchor(ORG);
      let checked = 0;
      let broken;
      for (let i = 0; i < entries.length && !broken; i += 3) {
        const part = verifyChainSegment(anchor, entries.slice(i, i + 3));
        checked += part.checked;
        anchor = part.anchor;
        broken = part.broken;
      }
      const whole = verifyChain(genesisAnchor(ORG), entries, head);
      expect(checked).toBe(whole.checked);
      expect(broken).toEqual(whole.broken);
      expect(broken).toMatchObject({ sequence: 8, reason: 'HASH_MISMATCH' });
    });

    it('checks the end only when the entries reached the head', () => {
      const { head } = chain(2);
      expect(checkChainEnd(head, head, 'x')).toBeUndefined();
      expect(checkChainEnd({ ...head, hash: 'f'.repeat(64) }, head, 'x')).toMatchObject({
        reason: 'HEAD_MISMATCH',
        id: 'x',
      });
    });
  });
});
