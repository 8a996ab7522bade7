import type { EngineGap } from '../engine.js';
import type { CallChannelName } from './call-input.js';

/** external = the customer, internal = the agent (or IVR), per the standard AudioHook stereo selection. */
export type SpeakerRole = 'customer' | 'agent';

export interface TranscriptWord {
  text: string;
  startSample: number;
  durationSamples: number;
  offsetSeconds: number;
  durationSeconds: number;
  /** 0..1 */
  confidence: number;
}

/** Typed transcript event published by the CallTranscriber (conversation store, live API, assist, connector). */
export interface TranscriptEvent {
  type: 'partial' | 'final';
  callId: string | null;
  /** UUID v4, the same for the partials of an utterance and its final */
  utteranceId: string;
  /** index in the negotiated channels (transcript entity channelId) */
  channel: number;
  channelName: CallChannelName;
  role: SpeakerRole;
  text: string;
  words: TranscriptWord[];
  startSample: number;
  durationSamples: number;
  offsetSeconds: number;
  durationSeconds: number;
  /** 0..1 */
  confidence: number;
  language: string;
  engine: string;
  /** audio before this result that no engine transcribed (engine failover) */
  gap?: EngineGap;
  /** the recogniser's words, when the text stage rewrote `text` and `words` (not stored: docs/speech.md) */
  rawText?: string;
}

/** Why transcription is not (or no longer) running for the call — the server decides what to do with it. */
export type TranscriberStatus =
  | { type: 'transcribing'; language: string; engine: string }
  /** the server should pause the session (transcription profile) until an update brings a supported language */
  | { type: 'unsupported-language'; language: string | null; supported: string[] }
  | { type: 'transcription-unavailable'; channel: number; engine: string; reason: string }
  | { type: 'audio-rejected'; reason: string }
  | { type: 'flush-timeout'; pendingChannels: number[] };
