import { describe, expect, it } from 'vitest';
import {
  AssistConfigError,
  assistConfigFromEnv,
  SAMPLE_KNOWLEDGE_BASE_DIR,
} from '../src/config/assist-config.js';

describe('assistConfigFromEnv', () => {
  it('defaults to local mode on the sample knowledge base with the documented cadence', () => {
    const c = assistConfigFromEnv({});
    expect(c).toMatchObject({
      mode: 'local',
      knowledgeBaseDir: SAMPLE_KNOWLEDGE_BASE_DIR,
      rulesFile: null,
      llm: null,
    });
    expect(c.cadence).toEqual({ everyFinals: 4, everySeconds: 30 });
  });

  it('reads the LLM settings in llm mode (Azure deployment)', () => {
    const c = assistConfigFromEnv({
      HOOKSCRIBE_ASSIST: 'llm',
      HOOKSCRIBE_LLM_URL: 'https://x.openai.azure.com',
      HOOKSCRIBE_LLM_KEY: 'k',
      HOOKSCRIBE_LLM_DEPLOYMENT: 'gpt-4o',
      HOOKSCRIBE_LLM_API_VERSION: '2024-10-21',
      HOOKSCRIBE_LLM_STREAM: 'false',
      HOOKSCRIBE_ASSIST_LLM_EVERY_FINALS: '6',
    });
    expect(c.llm).toMatchObject({
      deployment: 'gpt-4o',
      apiKey: 'k',
      stream: false,
      timeoutMs: 20000,
      retries: 2,
    });
    expect(c.cadence.everyFinals).toBe(6);
  });

  it.each([
    [{ HOOKSCRIBE_ASSIST: 'cloud' }, /HOOKSCRIBE_ASSIST/],
    [{ HOOKSCRIBE_ASSIST: 'llm' }, /needs HOOKSCRIBE_LLM_URL/],
    [
      { HOOKSCRIBE_ASSIST: 'llm', HOOKSCRIBE_LLM_URL: 'http://127.0.0.1:11434/v1' },
      /needs HOOKSCRIBE_LLM_MODEL/,
    ],
    [{ HOOKSCRIBE_LLM_URL: 'not a url' }, /HOOKSCRIBE_LLM_URL/],
    [{ HOOKSCRIBE_ASSIST_LLM_EVERY_FINALS: '0' }, /HOOKSCRIBE_ASSIST_LLM_EVERY_FINALS/],
    [{ HOOKSCRIBE_LLM_STREAM: 'maybe' }, /HOOKSCRIBE_LLM_STREAM/],
  ])('rejects %o naming the variable', (env, pattern) => {
    expect(() => assistConfigFromEnv(env)).toThrow(AssistConfigError);
    expect(() => assistConfigFromEnv(env)).toThrow(pattern);
  });
});

describe('AssistRuntime.load', () => {
  it('logs one warning per broken KB file and still serves the good ones', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { AssistRuntime } = await import('../src/assist-runtime.js');
    const dir = await mkdtemp(join(tmpdir(), 'hookscribe-kb-rt-'));
    try {
      await writeFile(
        join(dir, 'refunds.md'),
        '# Refunds\n\nRefunds take 3 to 5 working days to reach the card.',
      );
      await writeFile(join(dir, 'empty.md'), '');
      const warnings: string[] = [];
      const rt = await AssistRuntime.load(assistConfigFromEnv({ HOOKSCRIBE_ASSIST_KB_DIR: dir }), {
        logger: { info: () => {}, warn: (m) => warnings.push(m) },
      });
      expect(warnings).toEqual(['assist knowledge base: skipped empty.md: empty file']);
      expect(rt.knowledgeBase.search('how long does a refund take to reach my card')[0]?.document.id).toBe(
        'refunds.md',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
