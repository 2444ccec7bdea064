import { INTERNAL_CONTEXTS, messageKey, TOPIC_SPECS, Topics } from './topics';

describe('topic registry', () => {
  it('names every topic herald.<internal|public>.<entity>.<version>', () => {
    for (const spec of TOPIC_SPECS) expect(spec.name).toMatch(/^herald\.(internal|public)\.[a-z]+\.v\d+$/);
  });

  it('has one internal topic per product context, plus dead letters and public events', () => {
    expect(TOPIC_SPECS.filter((s) => s.role === 'internal').map((s) => s.name)).toEqual(
      INTERNAL_CONTEXTS.map((c) => `herald.internal.${c}.v1`),
    );
    expect(Topics.deadLetter).toBe('herald.internal.deadletter.v1');
    expect(Topics.publicEvents).toBe('herald.public.events.v1');
    expect(new Set(TOPIC_SPECS.map((s) => s.name)).size).toBe(TOPIC_SPECS.length);
  });

  it('keys messages tenant:id', () => {
    expect(messageKey('support', 42)).toBe('support:42');
  });
});
