/**
 * PCI for the audio: after a call, the spans the transcript redaction masked (card numbers, CVVs…) are silenced — or
 * toned over — in the recording itself, before it is encrypted or uploaded, so neither the filesystem nor the Blob
 * store ever holds them. Spans come from the redacted words' timings on the stream timeline, widened by a margin;
 * the WAV holds only audio that was received, so the paused and discarded spans recorded in the sidecar (`resumed`,
 * `discarded`) are subtracted to find the bytes. The result is reported in the sidecar (`audioRedaction`) and on the
 * conversation (`recordingRedaction`, with a recording_redacted event).
 *
 * The sidecar also logs the transcript entities sent back to Genesys (the Transcription Connector gets the words as
 * recognised); in that copy the tokens inside the spans — or a whole transcript without tokens — are masked too, so
 * the stored sidecar does not keep what the stored transcript and audio no longer hold.
 */
import { randomUUID } from 'node:crypto';
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { mulawEncodeSample, parseDuration, parseWav, WavFormatError } from '@hookscribe/audiohook';
import {
  EVENT_SCHEMA_VERSION,
  type ConversationStore,
  type RecordingRedaction,
  type RedactedAudioSpan,
  type TranscriptSegment,
} from '@hookscribe/conversations';
import { recordingSecondsOf, streamGapsOfSidecar } from './recording-sidecar.js';

export type AudioRedactionMethod = RecordingRedaction['method'];

export interface AudioRedactionOptions {
  store: Pick<ConversationStore, 'getConversation' | 'setRecordingRedaction'>;
  method: AudioRedactionMethod;
  /** seconds added before and after each masked word (word timings are estimates) */
  marginSeconds: number;
  now?: () => Date;
}

export interface AudioRedactionJob {
  conversationId: string;
  wavPath: string;
  jsonPath: string | null;
}

/** The masked words of the transcript as merged [start, end] spans (seconds on the stream timeline). */
export function redactedSpans(transcript: TranscriptSegment[], marginSeconds: number): RedactedAudioSpan[] {
  const spans = transcript
    .flatMap((segment) => segment.words.filter((word) => word.redacted === true))
    .map((word) => ({
      start: Math.max(0, word.offset - marginSeconds),
      end: word.offset + word.duration + marginSeconds,
    }))
    .sort((a, b) => a.start - b.start);
  const merged: RedactedAudioSpan[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span, reason: 'redaction' });
  }
  return merged.map((span) => ({ ...span, start: round(span.start), end: round(span.end) }));
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

const MASK = '[redacted]';

/** [start, end] meets a span (a point when start = end) */
function overlaps(spans: readonly RedactedAudioSpan[], start: number, end: number): boolean {
  return spans.some((span) => start <= span.end && end >= span.start);
}

function seconds(duration: unknown): number | null {
  if (typeof duration !== 'string') return null;
  try {
    return parseDuration(duration);
  } catch {
    return null;
  }
}

interface TranscriptToken {
  value: string;
  offset: string;
  duration: string;
}

/**
 * Masks, in the sidecar's outbound `event` messages, the transcript tokens centred inside the spans (and rebuilds the
 * display text from the tokens); a transcript without tokens whose utterance overlaps a span is masked whole.
 * Returns how many transcript entities changed.
 */
export function maskSidecarTranscripts(sidecar: unknown, spans: readonly RedactedAudioSpan[]): number {
  const messages = (sidecar as { messages?: unknown[] } | null)?.messages ?? [];
  let masked = 0;
  for (const entry of messages) {
    const { direction, message } = entry as {
      direction?: string;
      message?: { type?: string; parameters?: unknown };
    };
    if (direction !== 'out' || message?.type !== 'event') continue;
    const entities = (message.parameters as { entities?: unknown[] } | undefined)?.entities ?? [];
    for (const entity of entities as { type?: string; data?: Record<string, unknown> }[]) {
      if (entity.type !== 'transcript' || entity.data === undefined) continue;
      const start = seconds(entity.data.offset);
      const length = seconds(entity.data.duration);
      let changed = false;
      for (const alternative of (entity.data.alternatives as { interpretations?: unknown[] }[] | undefined) ??
        []) {
        for (const interpretation of (alternative.interpretations ?? []) as {
          transcript: string;
          tokens?: TranscriptToken[];
        }[]) {
          if (interpretation.tokens && interpretation.tokens.length > 0) {
            let hit = false;
            for (const token of interpretation.tokens) {
              const at = seconds(token.offset);
              const span = seconds(token.duration) ?? 0;
              // the midpoint, not any overlap: the spans carry a margin that reaches into the next words
              const middle = at === null ? null : at + span / 2;
              if (middle !== null && token.value !== MASK && overlaps(spans, middle, middle)) {
                token.value = MASK;
                hit = true;
              }
            }
            if (hit) {
              interpretation.transcript = interpretation.tokens.map((token) => token.value).join(' ');
              changed = true;
            }
          } else if (
            start !== null &&
            overlaps(spans, start, start + (length ?? 0)) &&
            interpretation.transcript !== MASK
          ) {
            interpretation.transcript = MASK;
            changed = true;
          }
        }
      }
      if (changed) masked += 1;
    }
  }
  return masked;
}

const TONE_HZ = 1000;
/** about -20 dBFS: clearly a tone, not loud */
const TONE_AMPLITUDE = 3277;

/** Overwrite the WAV's sample frames in [startFrame, endFrame) with silence or a tone, every channel. */
async function overwriteFrames(
  path: string,
  layout: { dataOffset: number; dataBytes: number; format: 'PCMU' | 'L16'; channels: number; rate: number },
  startFrame: number,
  endFrame: number,
  method: AudioRedactionMethod,
): Promise<void> {
  const bytesPerSample = layout.format === 'PCMU' ? 1 : 2;
  const frameBytes = bytesPerSample * layout.channels;
  const totalFrames = Math.floor(layout.dataBytes / frameBytes);
  const first = Math.max(0, Math.min(startFrame, totalFrames));
  const last = Math.max(first, Math.min(endFrame, totalFrames));
  if (last === first) return;
  const block = Buffer.alloc((last - first) * frameBytes);
  for (let frame = first; frame < last; frame++) {
    const sample =
      method === 'tone'
        ? Math.round(TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * frame) / layout.rate))
        : 0;
    for (let channel = 0; channel < layout.channels; channel++) {
      const at = (frame - first) * frameBytes + channel * bytesPerSample;
      if (layout.format === 'PCMU') block[at] = mulawEncodeSample(sample);
      else block.writeInt16LE(sample, at);
    }
  }
  const file = await open(path, 'r+');
  try {
    await file.write(block, 0, block.length, layout.dataOffset + first * frameBytes);
    await file.sync();
  } finally {
    await file.close();
  }
}

async function wavLayout(path: string) {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const size = (await file.stat()).size;
    const parsed = parseWav(head.subarray(0, bytesRead));
    const dataOffset = parsed.data.byteOffset - head.byteOffset;
    return {
      dataOffset,
      dataBytes: size - dataOffset,
      format: parsed.format as 'PCMU' | 'L16',
      channels: parsed.channels,
      rate: parsed.sampleRate,
    };
  } finally {
    await file.close();
  }
}

/**
 * Redact one finished recording in place. Idempotent (silencing twice changes nothing; a conversation already
 * reported is skipped), so a restart that repeats it is harmless. Resolves with the report, or null when nothing
 * was masked (no write at all then) or the conversation is unknown.
 */
export async function redactRecordingAudio(
  job: AudioRedactionJob,
  options: AudioRedactionOptions,
): Promise<RecordingRedaction | null> {
  const conversation = await options.store.getConversation(job.conversationId);
  if (conversation === null || conversation.recordingRedaction !== undefined) return null;
  const spans = redactedSpans(conversation.transcript, options.marginSeconds);
  if (spans.length === 0) return null;

  let sidecar: Record<string, unknown> | null = null;
  if (job.jsonPath !== null) {
    try {
      sidecar = JSON.parse(await readFile(job.jsonPath, 'utf8')) as Record<string, unknown>;
    } catch {
      sidecar = null; // no usable sidecar: no gaps known, stream time = file time
    }
  }
  const gaps = streamGapsOfSidecar(sidecar);
  let layout;
  try {
    layout = await wavLayout(job.wavPath);
  } catch (error) {
    if (error instanceof WavFormatError)
      throw new Error(`recording ${job.wavPath} cannot be redacted: ${error.message}`, { cause: error });
    throw error;
  }
  for (const span of spans) {
    const start = Math.floor(recordingSecondsOf(span.start, gaps) * layout.rate);
    const end = Math.ceil(recordingSecondsOf(span.end, gaps) * layout.rate);
    await overwriteFrames(job.wavPath, layout, start, end, options.method);
  }

  const report: RecordingRedaction = {
    at: (options.now?.() ?? new Date()).toISOString(),
    method: options.method,
    marginSeconds: options.marginSeconds,
    spans,
  };
  if (sidecar !== null && job.jsonPath !== null) {
    maskSidecarTranscripts(sidecar, spans);
    const partial = `${job.jsonPath}.redacting`;
    await writeFile(partial, `${JSON.stringify({ ...sidecar, audioRedaction: report })}\n`);
    await rename(partial, job.jsonPath);
  }
  await options.store.setRecordingRedaction(job.conversationId, report, {
    events: [
      {
        schemaVersion: EVENT_SCHEMA_VERSION,
        eventId: randomUUID(),
        type: 'recording_redacted',
        conversationId: job.conversationId,
        time: report.at,
        data: report,
      },
    ],
  });
  return report;
}

/** HOOKSCRIBE_AUDIO_REDACTION: silence (default) | tone | off. */
export function parseAudioRedactionMethod(value: string | undefined): AudioRedactionMethod | null {
  const word = (value ?? 'silence').trim().toLowerCase() || 'silence';
  if (word === 'off' || word === 'none') return null;
  if (word === 'silence' || word === 'tone') return word;
  throw new Error(`HOOKSCRIBE_AUDIO_REDACTION: must be silence, tone or off (got "${value}")`);
}

/** HOOKSCRIBE_AUDIO_REDACTION_MARGIN_MS: 0–5000, default 250. */
export function parseAudioRedactionMargin(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 0.25;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 5000)
    throw new Error(`HOOKSCRIBE_AUDIO_REDACTION_MARGIN_MS: must be an integer 0–5000 (got "${value}")`);
  return ms / 1000;
}
