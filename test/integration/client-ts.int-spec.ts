/**
 * The TypeScript client package against a running Herald: events appended with its ingest
 * client are walked page by page exactly as the API serves them, and the walk resumes from
 * its kept cursor; a webhook registered through it receives a test event whose delivery it
 * reads back; errors arrive typed. Its ingest fake refuses what the real endpoint refuses,
 * with the same index and reason.
 */
import { FakeHeraldIngest, HeraldApiError, HeraldClient, publicEventId } from '../../libs/client/src';
import { ingestVariants } from '../fixtures/ingest-inputs';
import {
  feedIds,
  feedReaches,
  postEvent,
  startClientsHarness,
  ClientsHarness,
} from '../support/herald-clients';
import { eventually } from '../support/infra';

describe('TypeScript client against Herald', () => {
  jest.setTimeout(180_000);
  let h: ClientsHarness;
  let client: HeraldClient;

  beforeAll(async () => {
    h = await startClientsHarness('client-ts');
    client = new HeraldClient({ baseUrl: h.app.baseUrl, host: h.host, apiKey: h.key.key });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('walks every appended event with cursors, as the API serves them, and resumes from the kept cursor', async () => {
    const appended = await h.ingest.append(Array.from({ length: 12 }, (_, i) => postEvent(h.tenant, i + 1)));
    expect(appended.accepted).toBe(12);
    for (const e of appended.events) expect(e.public_event_id).toBe(publicEventId(h.tenant, e.id));
    const served = await feedReaches(h, 12);

    const walker = client.walkEvents({ limit: 5 });
    const pages: number[] = [];
    const walked: string[] = [];
    for await (const page of walker.pages()) {
      pages.push(page.data.length);
      walked.push(...page.data.map((e) => e.id));
    }
    expect(pages).toEqual([5, 5, 2]);
    expect(walked).toEqual(served);
    // Events of different subjects may be appended in any order across partitions.
    expect([...walked].sort()).toEqual(appended.events.map((e) => e.public_event_id).sort());
    expect(walker.cursor).toEqual(expect.any(String));

    expect(await client.walkEvents({ cursor: walker.cursor, limit: 5 }).all()).toEqual([]);
    const later = await h.ingest.append([postEvent(h.tenant, 13), postEvent(h.tenant, 14)]);
    await feedReaches(h, 14);
    const since = await client.walkEvents({ cursor: walker.cursor, limit: 5 }).all();
    expect(since.map((e) => e.id).sort()).toEqual(later.events.map((e) => e.public_event_id).sort());
    expect(since.find((e) => e.data.post_id === 13)).toMatchObject({
      type: 'post.created',
      data: { post_id: 13, author: { id: 7, username: 'ada' } },
    });
  });

  it('reaches the tenant through a *.localhost base URL with no Host override', async () => {
    const direct = new HeraldClient({ baseUrl: `http://${h.host}`, apiKey: h.key.key });
    const page = await direct.listEvents({ limit: 1 });
    expect(page.data[0]?.id).toBe((await feedIds(h))[0]);
    expect(page.meta.request_id).toEqual(expect.any(String));
  });

  it('registers a webhook, sends it a test event and reads the delivery back', async () => {
    const created = await client.createWebhook({
      url: `${h.receiver.url}/hooks/ts`,
      events: ['post.*'],
      label: 'ts',
    });
    expect(created.data.secret).toMatch(/^whsec_/);
    expect((await client.getWebhook(created.data.id)).data).toMatchObject({
      label: 'ts',
      events: ['post.*'],
    });
    const sent = await client.sendTestEvent(created.data.id);
    const delivery = await eventually(async () => {
      const page = await client.listDeliveries(created.data.id, { status: ['succeeded'] });
      return page.data.find((d) => d.event_id === sent.data.event_id);
    }, 60_000);
    expect(delivery).toMatchObject({
      event_type: 'webhook.test',
      endpoint_id: created.data.id,
      status: 'succeeded',
    });
    expect(delivery.attempts[0]).toMatchObject({ n: 1, status_code: 200, response_body: 'ok' });
    const received = h.receiver.requests.find((r) => r.headers['mobieus-event-id'] === sent.data.event_id);
    expect(received?.path).toBe('/hooks/ts');
  });

  it('throws typed errors carrying the envelope', async () => {
    const bad = await client.listEvents({ cursor: 'A'.repeat(34) }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(HeraldApiError);
    expect(bad).toMatchObject({
      status: 400,
      code: 'invalid_cursor',
      requestId: expect.stringMatching(/\S/),
    });
    const missing = await client.getWebhook(`ep_${'0'.repeat(26)}`).catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: 'endpoint_not_found' });
    const wrongKey = new HeraldClient({ baseUrl: h.app.baseUrl, host: h.host, apiKey: 'mc_live_nope' });
    await expect(wrongKey.listEvents()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  describe('the ingest fake refuses as the real endpoint does', () => {
    const refusal = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HeraldApiError);
      const { status, code, details } = err as HeraldApiError;
      return { status, code, details };
    };

    it('on a batch with broken events among good ones (same index and reason)', async () => {
      const broken = ingestVariants(h.tenant).filter((v) =>
        [
          'forum.post.created without author_id',
          'forum.post.created post_id=-1',
          'forum.post.created title=null',
          'help.ticket.status_changed to=1.5',
          'kind="forum.post.exploded"',
          'occurred_at="2026-02-30T12:00:00Z"',
          'tenant="Bad Tenant"',
          'extra=1',
          'NUL in a data field',
          'lone surrogate in a key',
          'banned until a bad time',
        ].includes(v.name),
      );
      expect(broken).toHaveLength(11);
      const batch = [
        postEvent(h.tenant, 100),
        ...broken.map((b) => b.event),
        postEvent(h.tenant, 101),
      ] as never[];
      const real = await refusal(h.ingest.append(batch));
      const fake = await refusal(new FakeHeraldIngest().append(batch));
      expect(real.details).toHaveLength(11);
      expect(fake).toEqual(real);
    });

    it('on a body nested too deep for the HTTP layer', async () => {
      const deep = ingestVariants(h.tenant).find((v) => v.name === 'nested too deep')!.event as never;
      const real = await refusal(h.ingest.append(deep));
      expect(real.code).toBe('invalid_json');
      expect(await refusal(new FakeHeraldIngest().append(deep))).toEqual(real);
    });

    it('on an unknown tenant and on an empty call', async () => {
      const other = [postEvent('no-such-tenant', 1)];
      expect(await refusal(new FakeHeraldIngest({ tenants: [h.tenant] }).append(other))).toEqual(
        await refusal(h.ingest.append(other)),
      );
      expect(await refusal(new FakeHeraldIngest().append([]))).toEqual(await refusal(h.ingest.append([])));
    });
  });
});
