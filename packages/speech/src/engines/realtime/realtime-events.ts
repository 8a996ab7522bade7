/**
 * The slice of the OpenAI / Azure OpenAI Realtime API a transcription session uses (`intent=transcription`), as
 * documented: client events we send and the server events we act on. Anything else the service sends is ignored.
 */

export type RealtimeTurnDetection = 'server_vad' | 'segmenter';
export type RealtimeNoiseReduction = 'near_field' | 'far_field' | 'none';

export interface TranscriptionSessionSettings {
  model: string;
  /** ISO-639-1, e.g. `en` */
  language: string;
  prompt: string;
  turnDetection: RealtimeTurnDetection;
  noiseReduction: RealtimeNoiseReduction;
  /** server_vad: silence that ends a turn */
  silenceMs: number;
}

/** `transcription_session.update`: µ-law in, our model/prompt/language, the service's VAD or none (we commit). */
export function transcriptionSessionUpdate(settings: TranscriptionSessionSettings): Record<string, unknown> {
  return {
    type: 'transcription_session.update',
    session: {
      input_audio_format: 'g711_ulaw',
      input_audio_transcription: {
        model: settings.model,
        language: settings.language,
        ...(settings.prompt ? { prompt: settings.prompt } : {}),
      },
      turn_detection:
        settings.turnDetection === 'server_vad'
          ? {
              type: 'server_vad',
              threshold: 0.5,
              prefix_padding_ms: 300,
              silence_duration_ms: settings.silenceMs,
            }
          : null,
      input_audio_noise_reduction:
        settings.noiseReduction === 'none' ? null : { type: settings.noiseReduction },
      include: ['item.input_audio_transcription.logprobs'],
    },
  };
}

/** Server events, narrowed to the fields we read. */
export type RealtimeServerEvent =
  | { type: 'transcription_session.created' | 'transcription_session.updated' }
  | { type: 'input_audio_buffer.speech_started'; audio_start_ms: number; item_id: string }
  | { type: 'input_audio_buffer.speech_stopped'; audio_end_ms: number; item_id: string }
  | { type: 'input_audio_buffer.committed'; item_id: string }
  | { type: 'conversation.item.input_audio_transcription.delta'; item_id: string; delta: string }
  | {
      type: 'conversation.item.input_audio_transcription.completed';
      item_id: string;
      transcript: string;
      logprobs?: { logprob: number }[] | null;
    }
  | {
      type: 'conversation.item.input_audio_transcription.failed';
      item_id: string;
      error?: { code?: string; message?: string };
    }
  | { type: 'error'; error?: { type?: string; code?: string; message?: string } };

const KNOWN = new Set([
  'transcription_session.created',
  'transcription_session.updated',
  'input_audio_buffer.speech_started',
  'input_audio_buffer.speech_stopped',
  'input_audio_buffer.committed',
  'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.completed',
  'conversation.item.input_audio_transcription.failed',
  'error',
]);

/** A server text frame as an event we act on, or null (not JSON, unknown type, fields of the wrong type). */
export function parseServerEvent(text: string): RealtimeServerEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const event = value as Record<string, unknown>;
  if (typeof event.type !== 'string' || !KNOWN.has(event.type)) return null;
  const str = (key: string) => typeof event[key] === 'string';
  const num = (key: string) => typeof event[key] === 'number' && Number.isFinite(event[key]);
  switch (event.type) {
    case 'input_audio_buffer.speech_started':
      return str('item_id') && num('audio_start_ms') ? (event as RealtimeServerEvent) : null;
    case 'input_audio_buffer.speech_stopped':
      return str('item_id') && num('audio_end_ms') ? (event as RealtimeServerEvent) : null;
    case 'input_audio_buffer.committed':
    case 'conversation.item.input_audio_transcription.failed':
      return str('item_id') ? (event as RealtimeServerEvent) : null;
    case 'conversation.item.input_audio_transcription.delta':
      return str('item_id') && str('delta') ? (event as RealtimeServerEvent) : null;
    case 'conversation.item.input_audio_transcription.completed':
      return str('item_id') && str('transcript') ? (event as RealtimeServerEvent) : null;
    default:
      return event as RealtimeServerEvent;
  }
}

/** `error` codes that are no failure of the session: a commit that found the buffer already committed by the VAD. */
export const BENIGN_ERROR_CODES = new Set(['input_audio_buffer_commit_empty']);
/** `error` codes that mean "this session is over, open another" rather than "the service refuses us". */
export const SESSION_OVER_CODES = new Set(['session_expired']);
