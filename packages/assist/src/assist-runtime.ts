/**
 * AssistRuntime: everything shared by the conversations of one process — knowledge base, compiled alert rules,
 * prompt templates and LLM client — loaded once from an AssistConfig; makes ConversationAssistants and workers.
 * A broken KB file is a warning; broken alert rules or prompt templates are an error (fail at start, not mid-call).
 */
import type { AssistResult } from '@hookscribe/conversations';
import {
  compileAlertRules,
  defaultAlertRules,
  loadAlertRulesFile,
  type CompiledAlertRule,
} from './alerts/alert-rules.js';
import { silentLogger, type AssistLogger } from './assist-logger.js';
import type { AssistConfig } from './config/assist-config.js';
import { AssistEngine } from './engine/assist-engine.js';
import { ConversationAssistant, type LlmOutcome } from './engine/conversation-assistant.js';
import { KnowledgeBase } from './knowledge/knowledge-base.js';
import { loadKnowledgeFolder } from './knowledge/knowledge-base-loader.js';
import { LlmAssistant } from './llm/llm-assistant.js';
import { LlmCadence } from './llm/llm-cadence.js';
import type { LlmClient } from './llm/llm-client.js';
import { OpenAiChatClient } from './llm/openai-chat-client.js';
import { loadPromptTemplates } from './llm/prompt-templates.js';
import type { AssistBus, TranscriptHistory } from './worker/assist-bus.js';
import { AssistWorker } from './worker/assist-worker.js';

export interface AssistRuntimeOptions {
  logger?: AssistLogger;
  clock?: () => number;
  /** replaces the OpenAiChatClient built from config (tests, other providers) */
  llmClient?: LlmClient;
  onLlmOutcome?: (outcome: LlmOutcome) => void;
}

export class AssistRuntime {
  private constructor(
    readonly config: AssistConfig,
    readonly knowledgeBase: KnowledgeBase,
    readonly alertRules: readonly CompiledAlertRule[],
    readonly llm: LlmAssistant | null,
    private readonly options: AssistRuntimeOptions,
  ) {}

  static async load(config: AssistConfig, options: AssistRuntimeOptions = {}): Promise<AssistRuntime> {
    const logger = options.logger ?? silentLogger;
    const kb = await loadKnowledgeFolder(config.knowledgeBaseDir);
    for (const w of kb.warnings) logger.warn(`assist knowledge base: skipped ${w.file}: ${w.reason}`);
    const rules = config.rulesFile ? await loadAlertRulesFile(config.rulesFile) : defaultAlertRules();
    let llm: LlmAssistant | null = null;
    if (config.mode === 'llm') {
      const client =
        options.llmClient ??
        (config.llm
          ? new OpenAiChatClient({
              url: config.llm.url,
              ...(config.llm.apiKey ? { apiKey: config.llm.apiKey } : {}),
              ...(config.llm.model ? { model: config.llm.model } : {}),
              ...(config.llm.deployment ? { deployment: config.llm.deployment } : {}),
              ...(config.llm.apiVersion ? { apiVersion: config.llm.apiVersion } : {}),
              stream: config.llm.stream,
              timeoutMs: config.llm.timeoutMs,
              retries: config.llm.retries,
              jsonResponseFormat: config.llm.jsonResponseFormat,
            })
          : null);
      if (client) {
        llm = new LlmAssistant({
          client,
          templates: await loadPromptTemplates(config.promptsDir),
          maxConcurrent: config.llm?.maxConcurrent ?? 4,
        });
      }
    }
    logger.info(
      `assist ${config.mode}: ${kb.documents.length} knowledge documents from ${config.knowledgeBaseDir}, ${rules.length} alert rules${llm ? `, LLM ${llm.clientName}` : ''}`,
    );
    return new AssistRuntime(config, new KnowledgeBase(kb.documents), compileAlertRules(rules), llm, options);
  }

  createAssistant(
    conversationId: string,
    publish: (result: AssistResult) => void | Promise<void>,
  ): ConversationAssistant {
    const clock = this.options.clock ?? Date.now;
    return new ConversationAssistant({
      conversationId,
      engine: new AssistEngine({ knowledgeBase: this.knowledgeBase, alertRules: this.alertRules, clock }),
      llm: this.llm,
      cadence: new LlmCadence({ ...this.config.cadence, clock }),
      publish,
      ...(this.options.logger ? { logger: this.options.logger } : {}),
      ...(this.options.onLlmOutcome ? { onLlmOutcome: this.options.onLlmOutcome } : {}),
    });
  }

  /** A worker on `bus` (not yet started). */
  createWorker(
    bus: AssistBus,
    extra: { consumer?: string; history?: TranscriptHistory | null } = {},
  ): AssistWorker {
    return new AssistWorker({
      bus,
      createAssistant: (id, publish) => this.createAssistant(id, publish),
      idleTimeoutMs: this.config.idleTimeoutMs,
      maxConversations: this.config.maxConversations,
      ...(extra.consumer ? { consumer: extra.consumer } : {}),
      ...(extra.history ? { history: extra.history } : {}),
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      ...(this.options.logger ? { logger: this.options.logger } : {}),
    });
  }
}

/**
 * The embedded default: loads the runtime and starts a worker on the given (in-process) bus. Returns null when
 * HOOKSCRIBE_ASSIST=off. The call pipeline only publishes to the bus, so it never waits on assist.
 */
export async function startAssistWorker(
  bus: AssistBus,
  config: AssistConfig,
  options: AssistRuntimeOptions & { consumer?: string; history?: TranscriptHistory | null } = {},
): Promise<AssistWorker | null> {
  if (config.mode === 'off') return null;
  const runtime = await AssistRuntime.load(config, options);
  const worker = runtime.createWorker(bus, options);
  await worker.start();
  return worker;
}
