/** A frame classifier: how likely one fixed-size frame of 8 kHz PCM is speech. The Segmenter turns it into utterances. */
export interface VoiceActivityDetector {
  readonly name: string;
  /** samples per frame at 8 kHz; the caller always passes exactly this many */
  readonly frameSamples: number;
  /** 0..1; may be async (ONNX models) — callers await it in order */
  probability(frame: Int16Array): number | Promise<number>;
  /** forget adaptation state (new stream) */
  reset(): void;
  release(): Promise<void>;
}
