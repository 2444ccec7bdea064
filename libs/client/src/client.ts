/**
 * The public API client: one typed method per operation (generated from docs/openapi.yaml
 * into GeneratedOperations), bearer API key auth, the tenant addressed by host, and walkers
 * over the cursor-paginated lists.
 */
import { GeneratedOperations, ListEventsQuery, Method, PublicEvent } from './generated/api';
import { ListWalker, PageFetcher } from './paging';
import { RequestOptions, Transport, TransportOptions } from './transport';

export interface HeraldClientOptions extends Omit<TransportOptions, 'token'> {
  /** An API key, `mc_live_…` or `mc_test_…`. */
  apiKey: string;
}

export class HeraldClient extends GeneratedOperations {
  private readonly transport: Transport;

  constructor(options: HeraldClientOptions) {
    super();
    const { apiKey, ...rest } = options;
    this.transport = new Transport({ ...rest, token: apiKey });
  }

  protected call<T>(
    method: Method,
    path: string,
    query: object | undefined,
    body: unknown,
    options: RequestOptions | undefined,
  ): Promise<T> {
    return this.transport.call<T>(method, path, query, body, options);
  }

  /**
   * Every event matching `query`, oldest first, fetched page by page. Pass a saved
   * `cursor` (the walker's `cursor` after an earlier walk) to get only what came since.
   */
  walkEvents(query: ListEventsQuery = {}, options?: RequestOptions): ListWalker<PublicEvent> {
    const { cursor, ...filters } = query;
    return new ListWalker((c) => this.listEvents({ ...filters, cursor: c }, options), cursor);
  }

  /**
   * Any list operation as a walker, e.g.
   * `client.walk((cursor) => client.listDeliveries(id, { cursor }))`.
   */
  walk<T>(fetchPage: PageFetcher<T>, startCursor?: string): ListWalker<T> {
    return new ListWalker(fetchPage, startCursor);
  }
}
