/**
 * The conversation API as the UI uses it: JSON over fetch. The web UI signs in to a cookie session, so requests carry
 * no token (token = null) and SSE URLs need none; a client given a token (scripts, tests) sends it as Bearer and in
 * SSE URLs as `?key=`. A 401 anywhere calls `onUnauthorized` so the app can return to the login.
 */
import type {
  AnalyticsFilter,
  AuditFilter,
  AuditPage,
  CallDashboard,
  CallMetrics,
  ConversationDetail,
  ConversationFilter,
  ConversationPage,
  ConversationSummary,
  TranscriptFormat,
} from './types.js';

export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export class ApiClient {
  constructor(
    readonly token: string | null,
    private readonly onUnauthorized: () => void = () => undefined,
    private readonly fetchImpl: Fetch = (input, init) => fetch(input, init),
  ) {}

  private async request(path: string): Promise<Response> {
    const response = await this.fetchImpl(path, {
      credentials: 'same-origin',
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
    });
    if (response.status === 401) {
      this.onUnauthorized();
      throw new UnauthorizedError('not signed in, or the session has ended');
    }
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        const body = (await response.json()) as { message?: string };
        if (body.message) message = body.message;
      } catch {
        // not JSON: keep the status line
      }
      throw new ApiError(response.status, message);
    }
    return response;
  }

  private async json<T>(path: string): Promise<T> {
    return (await (await this.request(path)).json()) as T;
  }

  private static query(filter: object): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(filter)) {
      if (value !== undefined && value !== '') params.set(name, String(value));
    }
    const query = params.toString();
    return query ? `?${query}` : '';
  }

  listConversations(filter: ConversationFilter = {}): Promise<ConversationPage> {
    return this.json(`/api/conversations${ApiClient.query(filter)}`);
  }

  /** The audit log (admin). */
  listAudit(filter: AuditFilter = {}): Promise<AuditPage> {
    return this.json(`/api/audit${ApiClient.query(filter)}`);
  }

  getConversation(id: string): Promise<ConversationDetail> {
    return this.json(`/api/conversations/${encodeURIComponent(id)}`);
  }

  async getRecording(id: string): Promise<ArrayBuffer> {
    return (await this.request(`/api/conversations/${encodeURIComponent(id)}/recording`)).arrayBuffer();
  }

  /** The call's metrics; null while it has none yet (204). */
  async getMetrics(id: string): Promise<CallMetrics | null> {
    const response = await this.request(`/api/conversations/${encodeURIComponent(id)}/metrics`);
    return response.status === 204 ? null : ((await response.json()) as CallMetrics);
  }

  getDashboard(filter: AnalyticsFilter = {}): Promise<CallDashboard> {
    return this.json(`/api/analytics/dashboard${ApiClient.query(filter)}`);
  }

  async findByGenesysId(gcConversationId: string): Promise<ConversationSummary[]> {
    return (
      await this.json<{ items: ConversationSummary[] }>(
        `/api/conversations/by-genesys-id/${encodeURIComponent(gcConversationId)}`,
      )
    ).items;
  }

  /** Downloads through fetch (session cookie or Bearer), saved by the caller: no token ever goes into a URL. */
  async download(path: string): Promise<{ blob: Blob; filename: string }> {
    const response = await this.request(path);
    const disposition = response.headers.get('content-disposition') ?? '';
    const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'download';
    return { blob: await response.blob(), filename };
  }

  transcriptPath(id: string, format: TranscriptFormat): string {
    return `/api/conversations/${encodeURIComponent(id)}/transcript?format=${format}`;
  }

  callsCsvPath(filter: AnalyticsFilter = {}): string {
    return `/api/analytics/calls.csv${ApiClient.query(filter)}`;
  }

  /** SSE URL for all conversations (`conversationId` omitted) or one. */
  liveUrl(conversationId?: string, types?: string[]): string {
    const params = new URLSearchParams(this.token ? { key: this.token } : {});
    if (types) params.set('types', types.join(','));
    const path = conversationId
      ? `/api/conversations/${encodeURIComponent(conversationId)}/live`
      : '/api/live';
    const query = params.toString();
    return query ? `${path}?${query}` : path;
  }
}
