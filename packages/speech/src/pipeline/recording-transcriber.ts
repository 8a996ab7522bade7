/**
 * Post-call transcription: a call's recording (the WAV the recorder wrote, from the RecordingStore) through the same
 * CallTranscriber that transcribes live calls, fed as fast as the voice activity detector takes it. The engine given
 * here should be built for files (a decoding backlog as long as the recording, low-priority decoder threads); the
 * CallTranscriber, segmenter and result shapes are the live ones, so live and post-call transcripts only differ by
 * what the engine heard in time.
 *
 * The recorder writes the audio received, so a paused or discarded span of the stream is not in the file. Given the
 * call's gaps (from the recording's sidecar), the audio is fed at its stream positions with the `paused`/`resumed`
 * and `discarded` events the live call had, so offsets are on the stream timeline like the live transcript's, and
 * a pause splits an utterance where it did live. Without gaps, offsets are on the recording's timeline.
 */
import { decodeFrame, frameStride, parseWav, type MediaFormat } from '@hookscribe/audiohook';
import type { CallChannelName } from './call-input.js';
import { CallTranscriber, type CallTranscriberOptions } from './call-transcriber.js';
import type { TranscriberStatus, TranscriptEvent } from './transcript-event.js';

const SAMPLE_RATE = 8000;

export interface RecordingTranscriptionOptions extends Omit<
  CallTranscriberOptions,
  'onTranscript' | 'onStatus' | 'partials'
> {
  /** the call's language (null: defaultLanguage) */
  language: string | null;
  /** channel names in file order (default external, internal) */
  channelNames?: readonly CallChannelName[];
  /** audio per feed step (default 1000 ms) */
  chunkMs?: number;
  /** stops the work (shutdown, the job's lease lost); the promise then rejects with the signal's reason */
  signal?: AbortSignal;
  /** the stream's spans that are not in the recording, in samples on the stream timeline (default: none) */
  streamGaps?: readonly RecordingStreamGap[];
}

/** A paused or discarded span of the call's stream: [startSample, startSample + samples). */
export interface RecordingStreamGap {
  kind: 'paused' | 'discarded';
  startSample: number;
  samples: number;
}

export interface RecordingTranscript {
  finals: TranscriptEvent[];
  /** length of the audio in the recording */
  audioSeconds: number;
  /** engines used, in order of first use */
  engines: string[];
}

export class RecordingTranscriptionError extends Error {
  override name = 'RecordingTranscriptionError';
}

/** Statuses that mean part of the audio was not transcribed: the post-call result would be incomplete too. */
function incompleteBecause(status: TranscriberStatus): string | null {
  switch (status.type) {
    case 'transcription-unavailable':
      return `channel ${status.channel}: ${status.reason}`;
    case 'flush-timeout':
      return `finals of channels ${status.pendingChannels.join(', ')} did not arrive in time`;
    case 'unsupported-language':
      return `language ${status.language ?? '(none)'} is not supported (${status.supported.join(', ')})`;
    case 'audio-rejected':
      return `audio rejected: ${status.reason}`;
    default:
      return null;
  }
}

/** Transcribes a whole recording; rejects with RecordingTranscriptionError when any part could not be transcribed. */
export async function transcribeRecording(
  wav: Uint8Array,
  options: RecordingTranscriptionOptions,
): Promise<RecordingTranscript> {
  const parsed = parseWav(wav);
  if (parsed.sampleRate !== SAMPLE_RATE)
    throw new RecordingTranscriptionError(`recording is ${parsed.sampleRate} Hz; AudioHook audio is 8000 Hz`);
  const names = (options.channelNames ?? ['external', 'internal']).slice(0, parsed.channels);
  if (names.length < parsed.channels)
    throw new RecordingTranscriptionError(
      `recording has ${parsed.channels} channels, names given for ${names.length}`,
    );
  const media = { format: parsed.format as MediaFormat, channels: names as CallChannelName[] };
  const stride = frameStride(media);
  const totalSamples = Math.floor(parsed.data.length / stride);

  const finals: TranscriptEvent[] = [];
  const engines: string[] = [];
  let problem: string | null = null;
  const transcriber = new CallTranscriber({
    ...options,
    // the engine may still be working through the file when the last chunk is in
    flushTimeoutMs: options.flushTimeoutMs ?? Math.max(60_000, (totalSamples / SAMPLE_RATE) * 2000),
    partials: false,
    onTranscript: (event) => {
      if (event.type !== 'final') return;
      finals.push(event);
      if (!engines.includes(event.engine)) engines.push(event.engine);
    },
    onStatus: (status) => {
      problem ??= incompleteBecause(status);
    },
  });

  const chunkSamples = Math.max(160, Math.round(((options.chunkMs ?? 1000) * SAMPLE_RATE) / 1000));
  const aborted = () => options.signal?.aborted === true;
  const gaps = [...(options.streamGaps ?? [])]
    .filter((gap) => gap.samples > 0 && gap.startSample >= 0)
    .sort((a, b) => a.startSample - b.startSample);
  let shift = 0; // stream position - file position: the gaps passed so far
  let next = 0;
  try {
    await transcriber.handle({
      type: 'opened',
      media: { channels: media.channels },
      language: options.language,
    });
    /** the gaps due at stream position `at` (where the next audio would start), as the live call had them */
    const passGapsAt = async (at: number) => {
      while (next < gaps.length && gaps[next]!.startSample <= at) {
        const gap = gaps[next++]!;
        if (gap.startSample < at) continue; // overlaps what was already placed: a malformed log moves nothing
        if (gap.kind === 'paused') {
          await transcriber.handle({ type: 'paused', atSample: gap.startSample });
          await transcriber.handle({
            type: 'resumed',
            startSample: gap.startSample,
            discardedSamples: gap.samples,
          });
        } else {
          await transcriber.handle({
            type: 'discarded',
            startSample: gap.startSample,
            discardedSamples: gap.samples,
          });
        }
        shift += gap.samples;
        at += gap.samples;
      }
    };
    for (let start = 0; start < totalSamples && problem === null && !aborted();) {
      await passGapsAt(start + shift);
      // a chunk ends where the next gap starts, so no audio is placed across it
      const toGap = next < gaps.length ? gaps[next]!.startSample - (start + shift) : Infinity;
      const end = Math.min(totalSamples, start + chunkSamples, start + Math.max(1, toGap));
      const channels = decodeFrame(parsed.data.subarray(start * stride, end * stride), media);
      await transcriber.handle({ type: 'audio', channels, startSample: start + shift });
      start = end;
    }
    await passGapsAt(totalSamples + shift);
    await transcriber.handle({ type: 'closing', atSample: totalSamples + shift });
  } finally {
    await transcriber.handle({ type: 'ended', atSample: totalSamples + shift });
  }
  if (aborted())
    throw options.signal!.reason instanceof Error ? options.signal!.reason : new Error('aborted');
  if (problem !== null) throw new RecordingTranscriptionError(`recording not fully transcribed: ${problem}`);
  finals.sort((a, b) => a.startSample - b.startSample || a.channel - b.channel);
  return { finals, audioSeconds: totalSamples / SAMPLE_RATE, engines };
}
