export * from './engine.js';
export * from './errors.js';
export * from './result-queue.js';
export * from './wav-encoding.js';
export * from './vad/voice-activity-detector.js';
export * from './vad/energy-vad.js';
export * from './vad/silero-vad.js';
export * from './vad/silero-vad-thread.js';
export * from './vad/segmenter.js';
export * from './engines/scripted-engine.js';
export * from './pipeline/channel-recognizer.js';
export * from './pipeline/call-input.js';
export * from './pipeline/transcript-event.js';
export * from './pipeline/engine-selection.js';
export * from './pipeline/call-transcriber.js';
export * from './text/text-formatter.js';
export * from './connector/transcript-entity-builder.js';
export * from './connector/rate-limited-event-sender.js';
export * from './engines/openai-transcription-engine.js';
export * from './engines/fallback-engine.js';
export * from './engines/azure-speech-engine.js';
export * from './config/speech-config.js';
export * from './pocketsphinx/engine.js';
export {
  defaultPocketsphinxConfig,
  TUNED_DECODER,
  withFixedWarp,
  type PocketsphinxConfig,
  type DecoderTuning,
} from './pocketsphinx/config.js';
export {
  DecoderPoolExhaustedError,
  DecoderFailedError,
  type DecoderPoolOptions,
} from './pocketsphinx/decoder-pool.js';
export { PhoneFrontEnd, phoneTo16k, type PhoneFrontEndOptions } from './frontend/phone-front-end.js';
export * from './pipeline/recording-transcriber.js';
export * from './pocketsphinx/speaker-adaptation.js';
export { channelWarp, type SpeakerWarpPolicy } from './pocketsphinx/speaker-pitch.js';
export * from './engines/realtime/realtime-engine.js';
export * from './config/realtime-config.js';
export * from './pipeline/call-engine-choice.js';
export * from './pipeline/call-phrase-hints.js';
