import type { SpeechEngine } from '../engine.js';

/** `open.parameters.customConfig.sttEngine`, lower-cased, or null when absent or not a non-empty string. */
export function requestedSttEngine(customConfig: Record<string, unknown> | null | undefined): string | null {
  const value = customConfig?.sttEngine;
  if (typeof value !== 'string' || value.trim() === '') return null;
  return value.trim().toLowerCase();
}

/** What a call gets: its engines, and why a request was not honoured (for the log). */
export interface CallEngines {
  engines: readonly SpeechEngine[];
  /** the engine the call asked for, when it got it */
  chosen: string | null;
  /** set when the call asked for an engine outside the allowlist */
  refused: { requested: string; allowed: string[] } | null;
}

/**
 * Per-call engine choice: a call may name an engine in customConfig (`{"sttEngine": "realtime"}`) among the
 * allowlisted ones (HOOKSCRIBE_STT_ENGINE_ALLOWLIST), so one deployment serves queues with different needs. The chosen
 * engine's chain puts it first, the deployment's default engines behind it as fallbacks. Anything else gets the
 * default chain.
 */
export class CallEngineChoice {
  constructor(
    readonly defaults: readonly SpeechEngine[],
    /** allowlisted engine name → its chain */
    private readonly chains: ReadonlyMap<string, readonly SpeechEngine[]>,
  ) {}

  get allowed(): string[] {
    return [...this.chains.keys()];
  }

  /** every engine list a call can get (for start/stop and opened.supportedLanguages) */
  get all(): SpeechEngine[] {
    return [...new Set([...this.defaults, ...[...this.chains.values()].flat()])];
  }

  forCall(customConfig: Record<string, unknown> | null | undefined): CallEngines {
    const requested = requestedSttEngine(customConfig);
    if (requested === null) return { engines: this.defaults, chosen: null, refused: null };
    const chain = this.chains.get(requested);
    if (!chain)
      return { engines: this.defaults, chosen: null, refused: { requested, allowed: this.allowed } };
    return { engines: chain, chosen: requested, refused: null };
  }
}
