import {
  FIXTURES,
  internalEvent,
  SECRET_EMAIL,
  SECRET_IP,
  SECRET_TEXT,
} from '../../../../test/fixtures/internal-events';
import { INTERNAL_ONLY_KINDS, KIND_SPECS, kindSpec, PUBLIC_TYPES } from './catalog';
import { publicEventId, embeddedTime } from './public-id';
import { publicEventSchemas } from './schemas';
import { toPublicTimestamp } from './time';
import { translate } from './translate';
import { checkPublicEvent, validateInternalEvent } from './validate';

describe('event catalog (DESIGN.md §5)', () => {
  it('covers every published kind with a fixture and maps each to its public type', () => {
    expect(FIXTURES.map((f) => f.kind).sort()).toEqual(KIND_SPECS.map((s) => s.kind).sort());
    for (const f of FIXTURES) expect(kindSpec(f.kind)?.publicType).toBe(f.publicType);
    expect(PUBLIC_TYPES).toContain('webhook.test');
  });

  it.each(FIXTURES.map((f) => [f.kind, f] as const))(
    '%s → exactly the public data of the table',
    (_kind, f) => {
      const v = validateInternalEvent(internalEvent('support', f));
      if (!v.ok || v.internalOnly) throw new Error(`fixture invalid: ${JSON.stringify(v)}`);
      const { event, key } = translate(v.event, v.spec);
      expect(event.type).toBe(f.publicType);
      expect(event.data).toEqual(f.publicData);
      expect(Object.keys(event)).toEqual(['id', 'type', 'created_at', 'data']);
      expect(checkPublicEvent(event)).toBeUndefined();
      expect(key).toMatch(/^support:\d+$/);
      const text = JSON.stringify(event);
      for (const secret of [SECRET_EMAIL, SECRET_IP, SECRET_TEXT]) expect(text).not.toContain(secret);
    },
  );

  it.each(FIXTURES.map((f) => [f.kind, f] as const))('%s rejects a missing required field', (_kind, f) => {
    const [first] = Object.keys(kindSpec(f.kind)!.fields);
    const data = { ...f.data };
    delete data[first!];
    const v = validateInternalEvent(internalEvent('support', { kind: f.kind, data }));
    expect(v).toEqual({ ok: false, reason: `data.${first} is required` });
  });

  it('rejects wrong types, bad enums, bad envelopes and unknown kinds with a reason', () => {
    const post = FIXTURES.find((f) => f.kind === 'forum.post.created')!;
    const status = FIXTURES.find((f) => f.kind === 'help.ticket.status_changed')!;
    const bad = (e: unknown) => validateInternalEvent(e);
    expect(bad(internalEvent('support', { kind: post.kind, data: { ...post.data, post_id: 0 } }))).toEqual({
      ok: false,
      reason: 'data.post_id must be >= 1',
    });
    expect(
      bad(internalEvent('support', { kind: post.kind, data: { ...post.data, post_id: '42' } })),
    ).toMatchObject({
      ok: false,
      reason: 'data.post_id must be integer',
    });
    expect(
      bad(internalEvent('support', { kind: status.kind, data: { ...status.data, to: 'lost' } })),
    ).toEqual({
      ok: false,
      reason: 'data.to must be one of open, pending, resolved, closed',
    });
    expect(bad(internalEvent('support', { kind: 'forum.post.liked', data: {} }))).toEqual({
      ok: false,
      reason: 'unknown kind "forum.post.liked"',
    });
    expect(bad({ ...internalEvent('support', post), id: 'nope' })).toEqual({
      ok: false,
      reason: 'event.id has an invalid format',
    });
    expect(bad({ ...internalEvent('Support!', post) })).toEqual({
      ok: false,
      reason: 'event.tenant has an invalid format',
    });
    expect(bad({ ...internalEvent('support', post), occurred_at: '2026-02-30T00:00:00Z' })).toEqual({
      ok: false,
      reason: 'event.occurred_at is not a valid RFC 3339 time',
    });
    expect(bad({ ...internalEvent('support', post), extra: 1 })).toEqual({
      ok: false,
      reason: 'event.extra is not allowed',
    });
    expect(bad([])).toEqual({ ok: false, reason: 'event must be a JSON object' });
  });

  it('accepts internal-only kinds without publishing them', () => {
    for (const kind of INTERNAL_ONLY_KINDS) {
      const v = validateInternalEvent(internalEvent('support', { kind, data: { anything: true } }));
      expect(v).toMatchObject({ ok: true, internalOnly: true });
    }
  });

  it('generates a schema per public type, byte-identical on every run', () => {
    const a = JSON.stringify(publicEventSchemas());
    const b = JSON.stringify(publicEventSchemas());
    expect(a).toBe(b);
    expect(Object.keys(publicEventSchemas())).toEqual([...PUBLIC_TYPES]);
  });
});

describe('public event ids', () => {
  it('never change: the same inputs give these ids in every version', () => {
    // Stored in read models and deliveries; a change would mint second ids on re-translation.
    expect(publicEventId('support', '6f1c4a52-3b9e-4e0f-9d2a-0c5e8b7a1f00')).toBe(
      'evt_091KFMAGS2RCR3M3YYT8BB6X9K',
    );
    expect(publicEventId('support', '01J0000000000000000000000A')).toBe('evt_01J0000000NR1MVVC5FRV8RM5M');
    expect(publicEventId('support', '0190a5e4-1c2b-7c3d-8e4f-5a6b7c8d9e0f')).toBe(
      'evt_01J2JY871B4AZJDSZEBD6QXBM5',
    );
  });

  it('are evt_ + a 26-char Crockford ULID, deterministic per tenant and internal id', () => {
    const id = publicEventId('support', '6f1c4a52-3b9e-4e0f-9d2a-0c5e8b7a1f00');
    expect(id).toMatch(/^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(publicEventId('support', '6F1C4A52-3B9E-4E0F-9D2A-0C5E8B7A1F00')).toBe(id);
    expect(publicEventId('dev', '6f1c4a52-3b9e-4e0f-9d2a-0c5e8b7a1f00')).not.toBe(id);
    expect(publicEventId('support', '6f1c4a52-3b9e-4e0f-9d2a-0c5e8b7a1f01')).not.toBe(id);
  });

  it('keep the time of ULID and UUIDv7 internal ids', () => {
    const ulid = '01JG5K8HW2X4A8Q3M1T6KQ7BWP';
    const t = embeddedTime(ulid)!;
    expect(publicEventId('support', ulid).slice(4, 14)).toBe(ulid.slice(0, 10));
    const v7 = '0193f2a1-7b2c-7d3e-8f40-123456789abc';
    expect(embeddedTime(v7)).toBe(parseInt('0193f2a17b2c', 16));
    expect(t).toBeGreaterThan(1_700_000_000_000);
  });
});

describe('public timestamps', () => {
  it.each([
    ['2026-05-28T12:34:56Z', '2026-05-28T12:34:56.000000Z'],
    ['2026-05-28T12:34:56.1Z', '2026-05-28T12:34:56.100000Z'],
    ['2026-05-28T12:34:56.123456789Z', '2026-05-28T12:34:56.123456Z'],
    ['2026-05-28T14:34:56.5+02:00', '2026-05-28T12:34:56.500000Z'],
    ['2026-05-28T00:10:00-01:30', '2026-05-28T01:40:00.000000Z'],
    ['2026-05-28T12:34:56.000001Z', '2026-05-28T12:34:56.000001Z'],
    ['2026-05-28T12:34:56.000001z', '2026-05-28T12:34:56.000001Z'],
  ])('%s → %s', (input, out) => expect(toPublicTimestamp(input)).toBe(out));

  it.each([
    '2026-13-01T00:00:00Z',
    '2026-05-28 12:34:56Z',
    '2026-05-28T24:00:00Z',
    '2026-02-30T00:00:00.000000Z',
    'yesterday',
  ])('rejects %s', (input) => expect(toPublicTimestamp(input)).toBeUndefined());
});
