/**
 * The client package's ingest fake decides as Herald's ingest validator does: the same
 * events accepted, the same reason for each refusal, the same public event ids. The fake
 * carries a generated copy of the catalogue; this holds the copy and its evaluator to the
 * original.
 */
import { randomUUID } from 'node:crypto';
import { publicEventId as heraldPublicEventId, validateInternalEvent } from '@herald/contracts';
import { checkInternalEvent } from '../../libs/client/src/fake/validate-event';
import { publicEventId } from '../../libs/client/src/public-id';
import { ingestVariants } from '../fixtures/ingest-inputs';

describe('ingest fake parity with Herald', () => {
  const variants = ingestVariants('support');

  it('covers accepted and refused inputs alike', () => {
    const verdicts = variants.map((v) => validateInternalEvent(v.event).ok);
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(15);
    expect(verdicts.filter((ok) => !ok).length).toBeGreaterThan(200);
  });

  it.each(variants.map((v) => [v.name, v.event] as const))('%s', (_name, event) => {
    const herald = validateInternalEvent(event);
    const fake = checkInternalEvent(event);
    expect(fake.ok ? 'accepted' : fake.reason).toBe(herald.ok ? 'accepted' : herald.reason);
  });

  it('derives the public event ids Herald derives', () => {
    const ids = [
      '01JG5K8HW2X4A8Q3M1T6KQ7BWP',
      '018f4c2e-1b2a-7c3d-9e4f-a5b6c7d8e9f0',
      randomUUID(),
      randomUUID(),
    ];
    for (const id of ids) expect(publicEventId('support', id)).toBe(heraldPublicEventId('support', id));
  });
});
