/**
 * OpenAiChatClient: chat completions over HTTP for any OpenAI-compatible API — OpenAI, Azure OpenAI deployments
 * (`api-key` header + `api-version` query), Ollama and vLLM (`/v1`). Streamed (SSE) or plain JSON responses, a
 * deadline per attempt, and retries with back-off on network errors, 429 and 5xx (Retry-After honoured, capped).
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { LlmError, type ChatRequest, type LlmClient } from './llm-client.js';

export interface OpenAiChatClientOptions {
  /** base URL: `https://api.openai.com/v1`, `http://localhost:11434/v1`, or the Azure resource `https://x.openai.azure.com` */
  url: string;
  apiKey?: string;
  /** model name (OpenAI, Ollama, vLLM); Azure uses the deployment */
  model?: string;
  /** Azure OpenAI deployment name — selects the Azure URL shape and `api-key` auth */
  deployment?: string;
  /** Azure OpenAI api-version */
  apiVersion?: string;
  /** stream the answer over SSE (default true) */
  stream?: boolean;
  /** deadline for one attempt, connect to last byte (default 20 s) */
  timeoutMs?: number;
  /** extra attempts after a retryable failure (default 2) */
  retries?: number;
  /** first back-off delay; doubles each retry (default 500 ms) */
  retryDelayMs?: number;
  /** send `response_format: {type: "json_object"}` when JSON is asked for (default true; some servers reject it) */
  jsonResponseFormat?: boolean;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_AZURE_API_VERSION = '2024-10-21';
const MAX_RETRY_AFTER_MS = 10_000;

interface CompletionChunk {
  choices?: { delta?: { content?: string | null }; message?: { content?: string | null } }[];
}

export class OpenAiChatClient implements LlmClient {
  readonly name: string;
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;
  private readonly options: Required<
    Pick<OpenAiChatClientOptions, 'stream' | 'timeoutMs' | 'retries' | 'retryDelayMs' | 'jsonResponseFormat'>
  > &
    OpenAiChatClientOptions;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: OpenAiChatClientOptions) {
    this.options = {
      stream: true,
      timeoutMs: 20_000,
      retries: 2,
      retryDelayMs: 500,
      jsonResponseFormat: true,
      ...options,
    };
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    const base = options.url.replace(/\/+$/, '');
    this.headers = { 'content-type': 'application/json' };
    if (options.deployment) {
      const version = encodeURIComponent(options.apiVersion ?? DEFAULT_AZURE_API_VERSION);
      this.endpoint = `${base}/openai/deployments/${encodeURIComponent(options.deployment)}/chat/completions?api-version=${version}`;
      if (options.apiKey) this.headers['api-key'] = options.apiKey;
      this.name = `azure-openai:${options.deployment}`;
    } else {
      this.endpoint = /\/chat\/completions$/.test(base) ? base : `${base}/chat/completions`;
      if (options.apiKey) this.headers.authorization = `Bearer ${options.apiKey}`;
      this.name = `openai-compatible:${options.model ?? 'default'}`;
    }
  }

  async complete(request: ChatRequest): Promise<string> {
    let attempt = 0;
    for (;;) {
      try {
        return await this.attempt(request);
      } catch (err) {
        const error =
          err instanceof LlmError ? err : new LlmError('network', String(err), undefined, { cause: err });
        if (!error.retryable || attempt >= this.options.retries || request.signal?.aborted) throw error;
        const retryAfter = (error.cause as { retryAfterMs?: number } | undefined)?.retryAfterMs;
        await this.sleep(retryAfter ?? this.options.retryDelayMs * 2 ** attempt);
        attempt++;
      }
    }
  }

  private async attempt(request: ChatRequest): Promise<string> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const body: Record<string, unknown> = {
      messages: request.messages,
      stream: this.options.stream,
      temperature: request.temperature ?? 0.2,
    };
    if (this.options.model) body.model = this.options.model;
    if (request.maxTokens) body.max_tokens = request.maxTokens;
    if (request.json && this.options.jsonResponseFormat) body.response_format = { type: 'json_object' };

    const fail = (err: unknown): never => {
      if (err instanceof LlmError) throw err;
      if (timeout.aborted)
        throw new LlmError('timeout', `no complete answer within ${this.options.timeoutMs} ms`);
      if (request.signal?.aborted) throw new LlmError('aborted', 'request cancelled');
      throw new LlmError('network', `request to ${this.name} failed: ${(err as Error).message}`, undefined, {
        cause: err,
      });
    };

    let response: Response;
    try {
      response = await this.fetch(this.endpoint, {
        method: 'POST',
        headers: this.headers,
        body: JSON.stringify(body),
        signal,
      });
    } catch (err) {
      return fail(err);
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 300);
      const retryAfter = Number(response.headers.get('retry-after'));
      const cause =
        Number.isFinite(retryAfter) && retryAfter > 0
          ? { retryAfterMs: Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS) }
          : undefined;
      throw new LlmError(
        'http',
        `${this.name} answered HTTP ${response.status}: ${detail}`,
        response.status,
        { cause },
      );
    }
    try {
      const type = response.headers.get('content-type') ?? '';
      return type.includes('text/event-stream')
        ? await readStream(response)
        : readJson(await response.text());
    } catch (err) {
      return fail(err);
    }
  }
}

function readJson(text: string): string {
  let parsed: CompletionChunk;
  try {
    parsed = JSON.parse(text) as CompletionChunk;
  } catch {
    throw new LlmError('protocol', `answer is not JSON: ${text.slice(0, 120)}`);
  }
  const content = parsed.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new LlmError('protocol', 'answer has no choices[0].message.content');
  return content;
}

async function readStream(response: Response): Promise<string> {
  if (!response.body) throw new LlmError('protocol', 'streamed answer has no body');
  const events = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  let content = '';
  let done = false;
  for await (const event of events) {
    if (event.data === '[DONE]') {
      done = true;
      break;
    }
    let chunk: CompletionChunk;
    try {
      chunk = JSON.parse(event.data) as CompletionChunk;
    } catch {
      throw new LlmError('protocol', `stream chunk is not JSON: ${event.data.slice(0, 120)}`);
    }
    content += chunk.choices?.[0]?.delta?.content ?? '';
  }
  if (!done && content.length === 0) throw new LlmError('protocol', 'stream ended without content or [DONE]');
  return content;
}
