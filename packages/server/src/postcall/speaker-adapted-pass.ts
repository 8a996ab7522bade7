/**
 * Speaker adaptation for the accurate post-call pass: after the first decode of a recording, each channel (one
 * speaker in AudioHook) gets its own MLLR transform estimated from that decode (fitSpeakerTransform) and is decoded
 * again by an engine using it. A channel that gives too little speech, or whose adaptation fails, keeps its
 * first-pass finals; the job never fails because of this step. Measured in docs/benchmarks/stt-capacity.md.
 */
import { decodeFrame, parseWav, type MediaFormat } from '@hookscribe/audiohook';
import {
  channelWarp,
  encodeWav,
  fitSpeakerTransform,
  SpeakerAdaptationSkipped,
  transcribeRecording,
  type AdaptationUtterance,
  type RecordingTranscript,
  type RecordingTranscriptionOptions,
  type SpeakerAdaptationOptions,
  type SpeakerWarpPolicy,
  type SpeechEngine,
  type TranscriptEvent,
} from '@hookscribe/speech';
import type { Logger } from 'pino';

export interface SpeakerAdaptedPassOptions {
  adaptation: Omit<SpeakerAdaptationOptions, 'signal'>;
  /**
   * the engine that re-decodes a channel with the speaker's transform, through the filterbank warp the transform
   * was fitted with (null: unwarped); stopped after the channel
   */
  engineWith(mllrPath: string, warp: number | null): SpeechEngine;
  /**
   * the live decode's speaker warp (HOOKSCRIBE_STT_SPEAKER_WARP): a channel it warps is fitted and re-decoded
   * warped too (real telephone prompts, asterisk-dev: 29.1% → 27.3%, against 28.9% for the accurate pass alone);
   * null fits every channel unwarped
   */
  warpPolicy: SpeakerWarpPolicy | null;
  /** the first pass's engine name this applies to (another engine's finals are left as they are) */
  engineName: string;
}

export interface ChannelAdaptation {
  channel: number;
  outcome: 'adapted' | 'skipped' | 'failed';
  detail: string;
}

export class SpeakerAdaptedPass {
  constructor(private readonly options: SpeakerAdaptedPassOptions) {}

  /**
   * The finals with every adaptable channel re-decoded. `recording`: the first pass's options (language, call id,
   * channel names, transcriber settings, abort signal), reused for the re-decode.
   */
  async run(
    wav: Uint8Array,
    first: RecordingTranscript,
    recording: RecordingTranscriptionOptions,
    log: Logger,
  ): Promise<{ finals: TranscriptEvent[]; channels: ChannelAdaptation[] }> {
    const parsed = parseWav(wav);
    const names = (recording.channelNames ?? ['external', 'internal']).slice(0, parsed.channels);
    const audio = decodeFrame(parsed.data, { format: parsed.format as MediaFormat, channels: names });
    const finals: TranscriptEvent[] = [];
    const channels: ChannelAdaptation[] = [];
    for (let channel = 0; channel < names.length; channel++) {
      const own = first.finals.filter((f) => f.channel === channel);
      const report = (outcome: ChannelAdaptation['outcome'], detail: string) =>
        channels.push({ channel, outcome, detail });
      if (own.length === 0 || own.some((f) => f.engine !== this.options.engineName)) {
        finals.push(...own);
        report('skipped', own.length === 0 ? 'no speech' : 'first pass was not the embedded engine');
        continue;
      }
      try {
        finals.push(...(await this.adaptChannel(channel, names[channel]!, audio[channel]!, own, recording)));
        report('adapted', `${own.length} first-pass utterances`);
      } catch (err) {
        // the job was abandoned (shutdown, lease lost): the worker must see why, not a tool's error
        if (recording.signal?.aborted)
          throw recording.signal.reason instanceof Error ? recording.signal.reason : err;
        finals.push(...own);
        if (err instanceof SpeakerAdaptationSkipped) report('skipped', err.message);
        else {
          report('failed', (err as Error).message);
          log.warn(
            { err, channel },
            'speaker adaptation failed; the channel keeps its first-pass accurate transcript',
          );
        }
      }
    }
    finals.sort((a, b) => a.startSample - b.startSample || a.channel - b.channel);
    return { finals, channels };
  }

  private async adaptChannel(
    channel: number,
    name: NonNullable<RecordingTranscriptionOptions['channelNames']>[number],
    pcm: Int16Array,
    own: readonly TranscriptEvent[],
    recording: RecordingTranscriptionOptions,
  ): Promise<TranscriptEvent[]> {
    const utterances: AdaptationUtterance[] = own.map((f) => ({
      pcm8k: pcm.subarray(f.startSample, f.startSample + f.durationSamples),
      // the recogniser's words, before numbers and casing were formatted
      words: f.rawText ?? f.text,
      confidence: f.confidence,
    }));
    const warp = this.options.warpPolicy ? channelWarp(pcm, this.options.warpPolicy) : null;
    const transform = await fitSpeakerTransform(utterances, {
      ...this.options.adaptation,
      warp,
      ...(recording.signal ? { signal: recording.signal } : {}),
    });
    const engine = this.options.engineWith(transform.path, warp);
    try {
      const redo = await transcribeRecording(encodeWav(pcm, 8000), {
        ...recording,
        engines: [engine],
        channelNames: [name],
      });
      return redo.finals.map((f) => ({ ...f, channel }));
    } finally {
      await engine.stop().catch(() => undefined);
      await transform.dispose();
    }
  }
}
