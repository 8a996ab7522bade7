/** Assist configuration from environment variables, validated with zod; errors name the variable. */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_LLM_EVERY_FINALS, DEFAULT_LLM_EVERY_SECONDS } from '../llm/llm-cadence.js';

export const SAMPLE_KNOWLEDGE_BASE_DIR = fileURLToPath(new URL('../../knowledge-base/', import.meta.url));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number) => z.coerce.number().int().min(min);

const EnvSchema = z.object({
  HOOKSCRIBE_ASSIST: z.enum(['local', 'llm', 'off']).default('local'),
  HOOKSCRIBE_ASSIST_KB_DIR: z.string().min(1).default(SAMPLE_KNOWLEDGE_BASE_DIR),
  HOOKSCRIBE_ASSIST_RULES: z.string().min(1).optional(),
  HOOKSCRIBE_ASSIST_PROMPTS_DIR: z.string().min(1).optional(),
  HOOKSCRIBE_ASSIST_LLM_EVERY_FINALS: int(1).default(DEFAULT_LLM_EVERY_FINALS),
  HOOKSCRIBE_ASSIST_LLM_EVERY_SECONDS: int(0).default(DEFAULT_LLM_EVERY_SECONDS),
  HOOKSCRIBE_ASSIST_IDLE_TIMEOUT_SECONDS: int(1).default(1800),
  HOOKSCRIBE_ASSIST_MAX_CONVERSATIONS: int(1).default(5000),
  HOOKSCRIBE_LLM_URL: z.url().optional(),
  HOOKSCRIBE_LLM_KEY: z.string().optional(),
  HOOKSCRIBE_LLM_MODEL: z.string().min(1).optional(),
  HOOKSCRIBE_LLM_DEPLOYMENT: z.string().min(1).optional(),
  HOOKSCRIBE_LLM_API_VERSION: z.string().min(1).optional(),
  HOOKSCRIBE_LLM_STREAM: bool.default(true),
  HOOKSCRIBE_LLM_TIMEOUT_MS: int(100).default(20_000),
  HOOKSCRIBE_LLM_RETRIES: int(0).default(2),
  HOOKSCRIBE_LLM_MAX_CONCURRENT: int(1).default(4),
  HOOKSCRIBE_LLM_JSON_MODE: bool.default(true),
});

export interface AssistConfig {
  mode: 'local' | 'llm' | 'off';
  knowledgeBaseDir: string;
  rulesFile: string | null;
  promptsDir: string | null;
  cadence: { everyFinals: number; everySeconds: number };
  idleTimeoutMs: number;
  maxConversations: number;
  llm: {
    url: string;
    apiKey: string | undefined;
    model: string | undefined;
    deployment: string | undefined;
    apiVersion: string | undefined;
    stream: boolean;
    timeoutMs: number;
    retries: number;
    maxConcurrent: number;
    jsonResponseFormat: boolean;
  } | null;
}

export class AssistConfigError extends Error {
  override name = 'AssistConfigError';
}

export function assistConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AssistConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([k, v]) => k.startsWith('HOOKSCRIBE_') && v !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success)
    throw new AssistConfigError(`assist configuration is invalid:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  if (e.HOOKSCRIBE_ASSIST === 'llm') {
    if (!e.HOOKSCRIBE_LLM_URL) throw new AssistConfigError('HOOKSCRIBE_ASSIST=llm needs HOOKSCRIBE_LLM_URL');
    if (!e.HOOKSCRIBE_LLM_MODEL && !e.HOOKSCRIBE_LLM_DEPLOYMENT)
      throw new AssistConfigError(
        'HOOKSCRIBE_ASSIST=llm needs HOOKSCRIBE_LLM_MODEL (or HOOKSCRIBE_LLM_DEPLOYMENT for Azure OpenAI)',
      );
  }
  return {
    mode: e.HOOKSCRIBE_ASSIST,
    knowledgeBaseDir: e.HOOKSCRIBE_ASSIST_KB_DIR,
    rulesFile: e.HOOKSCRIBE_ASSIST_RULES ?? null,
    promptsDir: e.HOOKSCRIBE_ASSIST_PROMPTS_DIR ?? null,
    cadence: {
      everyFinals: e.HOOKSCRIBE_ASSIST_LLM_EVERY_FINALS,
      everySeconds: e.HOOKSCRIBE_ASSIST_LLM_EVERY_SECONDS,
    },
    idleTimeoutMs: e.HOOKSCRIBE_ASSIST_IDLE_TIMEOUT_SECONDS * 1000,
    maxConversations: e.HOOKSCRIBE_ASSIST_MAX_CONVERSATIONS,
    llm:
      e.HOOKSCRIBE_ASSIST === 'llm' && e.HOOKSCRIBE_LLM_URL
        ? {
            url: e.HOOKSCRIBE_LLM_URL,
            apiKey: e.HOOKSCRIBE_LLM_KEY,
            model: e.HOOKSCRIBE_LLM_MODEL,
            deployment: e.HOOKSCRIBE_LLM_DEPLOYMENT,
            apiVersion: e.HOOKSCRIBE_LLM_API_VERSION,
            stream: e.HOOKSCRIBE_LLM_STREAM,
            timeoutMs: e.HOOKSCRIBE_LLM_TIMEOUT_MS,
            retries: e.HOOKSCRIBE_LLM_RETRIES,
            maxConcurrent: e.HOOKSCRIBE_LLM_MAX_CONCURRENT,
            jsonResponseFormat: e.HOOKSCRIBE_LLM_JSON_MODE,
          }
        : null,
  };
}
