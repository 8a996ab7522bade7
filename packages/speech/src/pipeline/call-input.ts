/**
 * What the CallTranscriber needs from a call, independent of the server. The shapes are structural subsets of
 * @hookscribe/audiohook's SessionEvent, so the server can pass its session events straight through; other event
 * types are ignored. Positions are samples at 8 kHz on the stream timeline.
 */
export type CallChannelName = 'external' | 'internal';

export type CallInputEvent =
  | {
      type: 'opened';
      media: { channels: readonly CallChannelName[] } | null;
      /** language requested at open; a SessionEvent's raw `open.parameters.language` wins when present */
      language: string | null;
      open?: { parameters?: { language?: string } };
      isProbe?: boolean;
    }
  | {
      type: 'audio';
      /** one PCM array per channel; may be a lazy getter (the server's decodes on first read), read only if needed */
      readonly channels: Int16Array[];
      /**
       * PCMU media: each channel's µ-law bytes as received (de-interleaved), handed byte for byte to engines
       * that take µ-law; absent or null for L16. May be a lazy getter too.
       */
      readonly mulaw?: readonly Uint8Array[] | null;
      startSample: number;
    }
  | { type: 'paused'; atSample: number }
  | { type: 'resumed'; startSample: number; discardedSamples: number }
  | { type: 'discarded'; startSample: number; discardedSamples: number }
  | { type: 'update'; language: string | null; atSample: number }
  | { type: 'closing'; atSample: number }
  | { type: 'ended'; atSample: number };
