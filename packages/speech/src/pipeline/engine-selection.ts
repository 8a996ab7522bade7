import type { SpeechEngine } from '../engine.js';

/** First configured engine that supports the language (case-insensitive), or null. */
export function selectEngine(engines: readonly SpeechEngine[], language: string): SpeechEngine | null {
  const wanted = language.toLowerCase();
  return engines.find((e) => e.capabilities.languages.some((l) => l.toLowerCase() === wanted)) ?? null;
}

/** Union of the engines' languages in configuration order, first spelling kept (for opened.supportedLanguages). */
export function supportedLanguages(engines: readonly SpeechEngine[]): string[] {
  const seen = new Map<string, string>();
  for (const engine of engines) {
    for (const language of engine.capabilities.languages) {
      if (!seen.has(language.toLowerCase())) seen.set(language.toLowerCase(), language);
    }
  }
  return [...seen.values()];
}
