import { randomUUID } from 'node:crypto';
import {
  EVENT_ENVELOPE_RESERVE_BYTES,
  formatDuration,
  type EventEntity,
  type TranscriptEntityData,
  type TranscriptToken,
} from '@hookscribe/audiohook';
import type { TranscriptEvent, TranscriptWord } from '../pipeline/transcript-event.js';

/** Language codes the client validates (digest §3.1); anything else is left out rather than sent invalid. */
const LANGUAGE_CODE = /^[a-z]{2,3}-[A-Za-z]{2,3}$/;
const SAMPLE_RATE = 8000;

export interface TranscriptEntityBuilderOptions {
  /** send partials too (default false: finals only) */
  partials?: boolean;
  /** largest serialised entity; longer finals are split into several utterances (default 64 KiB minus envelope) */
  maxEntityBytes?: number;
  newId?: () => string;
}

/**
 * Transcript events → Transcription Connector `transcript` entities (digest §8.3): channelId = channel index, ids
 * stable from partial to final, every offset on the stream timeline as PT…S, absolute and strictly increasing token
 * offsets, confidences in [0,1], tokens on every final (spread evenly over the utterance if the engine gave none).
 */
export class TranscriptEntityBuilder {
  private readonly partials: boolean;
  private readonly maxEntityBytes: number;
  private readonly newId: () => string;

  constructor(options: TranscriptEntityBuilderOptions = {}) {
    this.partials = options.partials ?? false;
    this.maxEntityBytes = options.maxEntityBytes ?? 65535 - EVENT_ENVELOPE_RESERVE_BYTES;
    this.newId = options.newId ?? randomUUID;
  }

  /** Zero entities (partial when disabled, empty text), one, or several (a final too large for one message). */
  build(event: TranscriptEvent): EventEntity[] {
    if (event.text.trim() === '') return [];
    if (event.type === 'partial') {
      return this.partials ? [this.entity(event, event.utteranceId, event.words, event.text, false)] : [];
    }
    const words = event.words.length > 0 ? event.words : estimateWords(event);
    const whole = this.entity(event, event.utteranceId, words, event.text, true);
    if (size(whole) <= this.maxEntityBytes || words.length < 2) return [whole];
    // Split by words; the first part keeps the utterance id so a preceding partial is still superseded.
    const parts: EventEntity[] = [];
    let from = 0;
    while (from < words.length) {
      let to = words.length;
      let part = this.entity(event, '', words.slice(from, to), '', true);
      while (size(part) > this.maxEntityBytes && to - from > 1) {
        to = from + Math.max(1, Math.floor((to - from) / 2));
        part = this.entity(event, '', words.slice(from, to), '', true);
      }
      const slice = words.slice(from, to);
      parts.push(this.entity(event, parts.length === 0 ? event.utteranceId : this.newId(), slice, '', true));
      from = to;
    }
    return parts;
  }

  private entity(
    event: TranscriptEvent,
    id: string,
    words: TranscriptWord[],
    text: string,
    isFinal: boolean,
  ): EventEntity {
    const language = LANGUAGE_CODE.test(event.language) ? event.language : undefined;
    const tokens: TranscriptToken[] = [];
    let previous = -1;
    for (const word of words) {
      // unique, strictly increasing token offsets: nudge a colliding word by one sample (125 µs)
      const start = Math.max(word.startSample, previous + 1);
      previous = start;
      tokens.push({
        type: 'word',
        value: word.text,
        confidence: clamp01(word.confidence),
        offset: formatDuration(start / SAMPLE_RATE),
        duration: formatDuration(Math.max(0, word.durationSamples) / SAMPLE_RATE),
        ...(language ? { language } : {}),
      });
    }
    let startSample = event.startSample;
    let endSample = event.startSample + event.durationSamples;
    if (text === '') {
      // a split part spans its own words
      text = words.map((w) => w.text).join(' ');
      const first = words[0]!;
      const last = words[words.length - 1]!;
      startSample = first.startSample;
      endSample = last.startSample + last.durationSamples;
    }
    const data: TranscriptEntityData = {
      id,
      channelId: event.channel,
      isFinal,
      offset: formatDuration(Math.max(0, startSample) / SAMPLE_RATE),
      duration: formatDuration(Math.max(0, endSample - startSample) / SAMPLE_RATE),
      alternatives: [
        {
          confidence: clamp01(event.confidence),
          ...(language ? { languages: [language] } : {}),
          interpretations: [
            { type: 'display', transcript: text, ...(isFinal || tokens.length ? { tokens } : {}) },
          ],
        },
      ],
    };
    return { type: 'transcript', data };
  }
}

/** An engine without word timings: one token per word, spread evenly over the utterance. */
function estimateWords(event: TranscriptEvent): TranscriptWord[] {
  const texts = event.text.split(/\s+/).filter(Boolean);
  const each = Math.floor(event.durationSamples / Math.max(1, texts.length));
  return texts.map((text, i) => {
    const startSample = event.startSample + i * each;
    return {
      text,
      startSample,
      durationSamples: each,
      offsetSeconds: startSample / SAMPLE_RATE,
      durationSeconds: each / SAMPLE_RATE,
      confidence: event.confidence,
    };
  });
}

function size(entity: EventEntity): number {
  return Buffer.byteLength(JSON.stringify(entity), 'utf8');
}

function clamp01(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return Math.min(1, Math.max(0, value));
}
