import type { EventEntity, MediaParameter } from '@hookscribe/audiohook';

/** One transcript result received in an `event` (Transcription Connector), flattened for printing and JSON. */
export interface TranscriptLine {
  channelId: number;
  /** channel name from the negotiated media (channelId indexes it, digest §8.3), or null when unknown */
  channel: string | null;
  isFinal: boolean;
  offset: string | null;
  duration: string | null;
  text: string;
  confidence: number | null;
  receivedAtMs: number;
}

export function transcriptLines(
  entities: readonly EventEntity[],
  media: MediaParameter | null,
  receivedAtMs: number,
): TranscriptLine[] {
  const lines: TranscriptLine[] = [];
  for (const entity of entities) {
    if (entity.type !== 'transcript') continue;
    const data = entity.data as {
      channelId?: unknown;
      isFinal?: unknown;
      offset?: unknown;
      duration?: unknown;
      alternatives?: { confidence?: unknown; interpretations?: { transcript?: unknown }[] }[];
    };
    const best = data.alternatives?.[0];
    const channelId = typeof data.channelId === 'number' ? data.channelId : -1;
    lines.push({
      channelId,
      channel: media?.channels[channelId] ?? null,
      isFinal: data.isFinal === true,
      offset: typeof data.offset === 'string' ? data.offset : null,
      duration: typeof data.duration === 'string' ? data.duration : null,
      text: String(best?.interpretations?.[0]?.transcript ?? ''),
      confidence: typeof best?.confidence === 'number' ? best.confidence : null,
      receivedAtMs,
    });
  }
  return lines;
}

export function formatTranscriptLine(line: TranscriptLine): string {
  const where = `ch${line.channelId}${line.channel ? ` ${line.channel}` : ''}`;
  const when = `${line.offset ?? '?'}${line.duration ? ` +${line.duration}` : ''}`;
  return `[${where} ${when}${line.isFinal ? '' : ' partial'}] ${line.text}`;
}
