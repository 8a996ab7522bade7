import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LlmError } from '../src/llm/llm-client.js';
import { OpenAiChatClient, type OpenAiChatClientOptions } from '../src/llm/openai-chat-client.js';
import { FakeLlmServer } from './support/fake-llm-server.js';

const server = new FakeLlmServer();
beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  server.requests.length = 0;
  server.queue = [];
  server.behaviour = { kind: 'json' };
  server.answer = () => 'hello from the fake';
});

const client = (o: Partial<OpenAiChatClientOptions> = {}) =>
  new OpenAiChatClient({
    url: server.url,
    apiKey: 'sk-test',
    model: 'gpt-test',
    retryDelayMs: 1,
    timeoutMs: 2000,
    ...o,
  });
const ask = (c: OpenAiChatClient) => c.complete({ messages: [{ role: 'user', content: 'hi' }], json: true });

describe('OpenAiChatClient against a fake OpenAI-compatible server', () => {
  it('reads a non-streamed answer and sends model, bearer auth and JSON mode', async () => {
    server.behaviour = { kind: 'json' };
    expect(await ask(client({ stream: false }))).toBe('hello from the fake');
    const req = server.requests[0];
    expect(req?.url).toBe('/v1/chat/completions');
    expect(req?.headers.authorization).toBe('Bearer sk-test');
    expect(req?.body).toMatchObject({
      model: 'gpt-test',
      stream: false,
      response_format: { type: 'json_object' },
    });
  });

  it('assembles a streamed (SSE) answer from its deltas', async () => {
    server.behaviour = { kind: 'stream', chunkSize: 3 };
    server.answer = () => '{"summary":"streamed, in pieces"}';
    expect(await ask(client({ stream: true }))).toBe('{"summary":"streamed, in pieces"}');
    expect(server.requests[0]?.body.stream).toBe(true);
  });

  it('reads a plain JSON answer even when it asked for a stream (servers that ignore stream)', async () => {
    server.behaviour = { kind: 'json' };
    expect(await ask(client({ stream: true }))).toBe('hello from the fake');
  });

  it('uses the Azure OpenAI URL shape and api-key header when a deployment is set', async () => {
    const azure = new OpenAiChatClient({
      url: server.url.replace('/v1', ''),
      apiKey: 'az-key',
      deployment: 'gpt4o',
      apiVersion: '2024-06-01',
      stream: false,
    });
    await ask(azure);
    const req = server.requests[0];
    expect(req?.url).toBe('/openai/deployments/gpt4o/chat/completions?api-version=2024-06-01');
    expect(req?.headers['api-key']).toBe('az-key');
    expect(req?.headers.authorization).toBeUndefined();
    expect(azure.name).toBe('azure-openai:gpt4o');
  });

  it('retries a 500 and succeeds on the next attempt', async () => {
    server.queue = [{ kind: 'status', status: 500 }];
    expect(await ask(client())).toBe('hello from the fake');
    expect(server.requests).toHaveLength(2);
  });

  it('honours Retry-After on 429', async () => {
    const waits: number[] = [];
    server.queue = [{ kind: 'status', status: 429, retryAfter: '2' }];
    await ask(client({ sleep: async (ms) => void waits.push(ms) }));
    expect(waits).toEqual([2000]);
  });

  it('gives up after the configured retries with an http LlmError', async () => {
    server.behaviour = { kind: 'status', status: 503 };
    const err = await ask(client({ retries: 2 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ kind: 'http', status: 503 });
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 400 or 401', async () => {
    server.behaviour = { kind: 'status', status: 401 };
    await expect(ask(client())).rejects.toMatchObject({ kind: 'http', status: 401 });
    expect(server.requests).toHaveLength(1);
  });

  it('reports garbage bodies as protocol errors', async () => {
    server.behaviour = { kind: 'garbage', body: '<html>proxy error</html>' };
    await expect(ask(client({ stream: false }))).rejects.toMatchObject({ kind: 'protocol' });
    server.behaviour = { kind: 'garbage', body: '{"choices":[]}' };
    await expect(ask(client({ stream: false }))).rejects.toMatchObject({
      kind: 'protocol',
      message: /no choices/,
    });
    server.behaviour = { kind: 'garbage', body: 'data: not json\n\n', contentType: 'text/event-stream' };
    await expect(ask(client())).rejects.toMatchObject({
      kind: 'protocol',
      message: /stream chunk is not JSON/,
    });
    server.behaviour = { kind: 'garbage', body: '', contentType: 'text/event-stream' };
    await expect(ask(client())).rejects.toMatchObject({ kind: 'protocol', message: /without content/ });
  });

  it('times out a slow server without retrying it', async () => {
    server.behaviour = { kind: 'slow', delayMs: 1500 };
    await expect(ask(client({ timeoutMs: 200 }))).rejects.toMatchObject({ kind: 'timeout' });
    expect(server.requests).toHaveLength(1);
  });

  it('treats a dropped connection (no answer) as a network error and retries it', async () => {
    server.behaviour = { kind: 'hangup' };
    await expect(ask(client({ retries: 1 }))).rejects.toMatchObject({ kind: 'network' });
    expect(server.requests).toHaveLength(2);
  });

  it('reports an unreachable server as a network error', async () => {
    const dead = new OpenAiChatClient({ url: 'http://127.0.0.1:1/v1', model: 'm', retries: 0 });
    await expect(ask(dead)).rejects.toMatchObject({ kind: 'network' });
  });

  it('stops when the caller aborts', async () => {
    server.behaviour = { kind: 'slow', delayMs: 1500 };
    const controller = new AbortController();
    const p = client().complete({ messages: [{ role: 'user', content: 'x' }], signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(p).rejects.toMatchObject({ kind: 'aborted' });
  });
});
