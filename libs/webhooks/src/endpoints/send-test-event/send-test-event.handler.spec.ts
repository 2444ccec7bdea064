import { checkPublicEvent, PUBLIC_ID_PATTERN, PUBLIC_TIME_PATTERN } from '@herald/contracts';
import { TEST_EVENT_MESSAGE, testEvent, webhookTestEvent } from './send-test-event.handler';

describe('the webhook.test event', () => {
  it('is a valid public event naming its endpoint, created now', () => {
    const now = new Date('2026-05-28T12:34:56.789Z');
    const event = webhookTestEvent('ep_01JG5K8HW2X4A8Q3M1T6KQ7BWP', now);
    expect(checkPublicEvent(event)).toBeUndefined();
    expect(Object.keys(event)).toEqual(['id', 'type', 'created_at', 'data']);
    expect(event).toEqual({
      id: expect.stringMatching(new RegExp(PUBLIC_ID_PATTERN)),
      type: 'webhook.test',
      created_at: '2026-05-28T12:34:56.789000Z',
      data: { endpoint_id: 'ep_01JG5K8HW2X4A8Q3M1T6KQ7BWP', message: TEST_EVENT_MESSAGE },
    });
    expect(event.created_at).toMatch(new RegExp(PUBLIC_TIME_PATTERN));
  });

  it('gets a new id every time', () => {
    expect(webhookTestEvent('ep_x').id).not.toBe(webhookTestEvent('ep_x').id);
  });
});

describe('a test event with a body', () => {
  const now = new Date('2026-05-28T12:34:56.789Z');

  it('webhook.test carries the fields of data beside its own, which data cannot replace', () => {
    const made = testEvent(
      'ep_x',
      { data: { order: { id: 42 }, endpoint_id: 'ep_other', message: 'hi' } },
      now,
    );
    expect(made).toEqual({
      event: {
        id: expect.stringMatching(new RegExp(PUBLIC_ID_PATTERN)),
        type: 'webhook.test',
        created_at: '2026-05-28T12:34:56.789000Z',
        data: { endpoint_id: 'ep_x', message: TEST_EVENT_MESSAGE, order: { id: 42 } },
      },
    });
  });

  it('another type takes data as its whole data, checked against its schema', () => {
    expect(testEvent('ep_x', { type: 'post.created' }, now)).toEqual({
      problem: 'data is required for a post.created test event',
    });
    expect(testEvent('ep_x', { type: 'post.created', data: { nonsense: true } }, now)).toEqual({
      problem: expect.stringMatching(/^event\.data/),
    });
  });
});
