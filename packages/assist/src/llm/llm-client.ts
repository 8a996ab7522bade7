/** LlmClient port: one chat completion in, the assistant's text out. Adapters: OpenAiChatClient (any OpenAI-compatible API). */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** ask for a JSON object answer (OpenAI `response_format: json_object`) */
  json?: boolean;
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface LlmClient {
  readonly name: string;
  complete(request: ChatRequest): Promise<string>;
}

export type LlmErrorKind = 'timeout' | 'http' | 'network' | 'protocol' | 'aborted';

/** Why an LLM call failed. `retryable` errors were already retried by the client before surfacing. */
export class LlmError extends Error {
  override name = 'LlmError';
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get retryable(): boolean {
    return (
      this.kind === 'network' || (this.kind === 'http' && (this.status === 429 || (this.status ?? 0) >= 500))
    );
  }
}
