/** Transcript exports (text, JSON, SRT, WebVTT) and the calls CSV, on constructed conversations. */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  callsCsvHeader,
  callsCsvRows,
  captionCuesOf,
  computeCallMetrics,
  srtOf,
  transcriptFileOf,
  webVttOf,
  type ConversationDetail,
  type TranscriptSegment,
} from '../src/index.js';
import { makeConversation, makeSegment } from './store-contract.js';

const customer = makeSegment('hello I <need> help & advice', { offset: 1.5 });
const agent: TranscriptSegment = { ...makeSegment('sure', { offset: 3723.25 }), role: 'agent', channel: 1 };

function detail(transcript: TranscriptSegment[]): ConversationDetail {
  return { ...makeConversation({ ani: 'tel:+15550001', dnis: 'tel:+18005550100' }), transcript, assist: [] };
}

describe('caption cues', () => {
  it('one cue per short segment, labelled by role, timed by its words', () => {
    expect(captionCuesOf([agent, customer])).toEqual([
      { start: 1.5, end: 1.5 + 6 * 0.3, speaker: 'Customer', text: 'hello I <need> help & advice' },
      { start: 3723.25, end: 3723.55, speaker: 'Agent', text: 'sure' },
    ]);
  });

  it('a long segment is cut at word boundaries into cues of at most two 42-character lines', () => {
    const long = makeSegment(Array.from({ length: 40 }, (_, i) => `word${i}`).join(' '), { offset: 0 });
    const cues = captionCuesOf([long]);
    expect(cues.length).toBeGreaterThan(1);
    expect(cues.every((cue) => cue.text.length <= 84)).toBe(true);
    expect(cues.map((cue) => cue.text).join(' ')).toBe(long.text);
    expect(cues[1]!.start).toBeCloseTo(cues[0]!.end, 6);
  });
});

describe('SRT and WebVTT', () => {
  it('SRT: numbered cues, HH:MM:SS,mmm, speaker prefix', () => {
    expect(srtOf([customer, agent])).toBe(
      '1\n00:00:01,500 --> 00:00:03,300\nCustomer: hello I <need> help & advice\n\n' +
        '2\n01:02:03,250 --> 01:02:03,550\nAgent: sure\n',
    );
  });

  it('WebVTT: header, HH:MM:SS.mmm, voice spans, markup escaped', () => {
    expect(webVttOf([customer, agent])).toBe(
      'WEBVTT\n\n00:00:01.500 --> 00:00:03.300\n<v Customer>hello I &lt;need&gt; help &amp; advice</v>\n\n' +
        '01:02:03.250 --> 01:02:03.550\n<v Agent>sure</v>\n',
    );
  });
});

describe('transcript files', () => {
  it('text: a header naming the call, then one timed line per utterance in stream order', () => {
    const file = transcriptFileOf(detail([agent, customer]), null, 'text');
    expect(file.contentType).toMatch(/^text\/plain/);
    const lines = file.body.trim().split('\n');
    expect(lines[2]).toBe('From tel:+15550001 to tel:+18005550100, transcription endpoint');
    expect(lines.slice(-2)).toEqual([
      '[00:00:01] Customer: hello I <need> help & advice',
      '[01:02:03] Agent: sure',
    ]);
  });

  it('json: the stored conversation with its metrics', () => {
    const metrics = computeCallMetrics({
      segments: [customer],
      gaps: [],
      durationSeconds: 10,
      status: 'final',
    });
    const file = transcriptFileOf(detail([customer]), metrics, 'json');
    expect(JSON.parse(file.body)).toMatchObject({
      transcript: [{ id: customer.id }],
      metrics: { durationSeconds: 10 },
    });
    expect(transcriptFileOf(detail([]), null, 'vtt')).toMatchObject({ extension: 'vtt', body: 'WEBVTT\n' });
  });
});

describe('calls CSV', () => {
  it('a header and one row per call that a CSV parser reads back; formula-like values are made inert', () => {
    const conversation = makeConversation({
      aniName: 'x',
      ani: '=HYPERLINK("http://evil")',
      dnis: 'tel:+1, "q"',
    });
    const metrics = computeCallMetrics({
      segments: [customer, agent],
      gaps: [{ kind: 'paused', start: 5, duration: 2 }],
      durationSeconds: 4000,
      status: 'final',
    });
    const csv = callsCsvHeader() + callsCsvRows([{ conversation, metrics }]);
    const [header, row] = parse(csv) as string[][];
    const record = Object.fromEntries(header!.map((name, i) => [name, row![i]]));
    expect(record).toMatchObject({
      id: conversation.id,
      ani: `'=HYPERLINK("http://evil")`,
      dnis: 'tel:+1, "q"',
      duration_s: '4000',
      paused_s: '2',
      agent_talk_s: '0.3',
      time_to_first_agent_word_s: '3723.25',
      ended_at: '',
    });
    expect(callsCsvRows([])).toBe('');
  });
});
