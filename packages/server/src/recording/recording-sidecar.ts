/**
 * Reading a recording's JSON sidecar after the call.
 *
 * The spans of the stream timeline that are not in a recording: the recorder writes the audio received, so a paused
 * span (`resumed {start, discarded}`) or a discarded one (`discarded {start, discarded}`) is missing from the WAV,
 * and every later file position is earlier than its stream position by the gaps before it. The sidecar's log of
 * client messages is where they are known; audio redaction and post-call transcription both map through them.
 * Post-call transcription also takes the call's phrase hints from the `open` logged there.
 */
import { parseDuration } from '@hookscribe/audiohook';

/** A span of stream time that carried no audio: [start, start + length), seconds. */
export interface StreamGap {
  kind: 'paused' | 'discarded';
  start: number;
  length: number;
}

/** Paused and discarded spans from a sidecar's client messages, in stream order; malformed entries are skipped. */
export function streamGapsOfSidecar(sidecar: unknown): StreamGap[] {
  const messages = (sidecar as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages)) return [];
  const gaps: StreamGap[] = [];
  for (const entry of messages) {
    const { direction, message } = (entry ?? {}) as { direction?: string; message?: Record<string, unknown> };
    if (direction !== 'in' || (message?.type !== 'resumed' && message?.type !== 'discarded')) continue;
    const parameters = message.parameters as { start?: unknown; discarded?: unknown } | undefined;
    if (typeof parameters?.start !== 'string' || typeof parameters.discarded !== 'string') continue;
    try {
      const length = parseDuration(parameters.discarded);
      if (length > 0)
        gaps.push({
          kind: message.type === 'resumed' ? 'paused' : 'discarded',
          start: parseDuration(parameters.start),
          length,
        });
    } catch {
      // a malformed duration was answered by the session already; it moves nothing here
    }
  }
  return gaps.sort((a, b) => a.start - b.start);
}

/**
 * A sidecar's text as a document: the finalised JSON, or — for a call cut short by a crash, whose sidecar was never
 * closed — the messages written so far (the writer puts each on its own line), so a call transcribed after a
 * restart still knows its pauses.
 */
export function parseSidecarText(text: string): { messages: unknown[] } {
  try {
    const document = JSON.parse(text) as unknown;
    if (document !== null && typeof document === 'object') return document as { messages: unknown[] };
  } catch {
    // not closed: read it line by line below
  }
  const messages: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"at":')) continue;
    try {
      messages.push(JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line));
    } catch {
      // the line the crash cut off
    }
  }
  return { messages };
}

/** `open.parameters.customConfig` of the call, as its client sent it; null when the sidecar has no usable `open`. */
export function openCustomConfigOf(sidecar: unknown): Record<string, unknown> | null {
  const messages = (sidecar as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages)) return null;
  for (const entry of messages) {
    const { direction, message } = (entry ?? {}) as { direction?: string; message?: Record<string, unknown> };
    if (direction !== 'in' || message?.type !== 'open') continue;
    const customConfig = (message.parameters as { customConfig?: unknown } | undefined)?.customConfig;
    return customConfig !== null && typeof customConfig === 'object' && !Array.isArray(customConfig)
      ? (customConfig as Record<string, unknown>)
      : null;
  }
  return null;
}

/** Stream time → seconds of received audio (what the WAV holds): the gaps before it are not in the file. */
export function recordingSecondsOf(streamSeconds: number, gaps: readonly StreamGap[]): number {
  let missing = 0;
  for (const gap of gaps) {
    if (gap.start >= streamSeconds) break;
    missing += Math.min(gap.length, streamSeconds - gap.start);
  }
  return streamSeconds - missing;
}
