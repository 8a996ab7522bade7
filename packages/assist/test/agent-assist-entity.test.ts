import { agentAssistEntityDataSchema, isUuid } from '@hookscribe/audiohook';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AgentAssistTracker,
  answerHtml,
  buildAgentAssistEntity,
  MAX_ANSWER_HTML,
} from '../src/agentassist/agent-assist-entity.js';
import { SAMPLE_KNOWLEDGE_BASE_DIR } from '../src/config/assist-config.js';
import { AssistEngine } from '../src/engine/assist-engine.js';
import { KnowledgeBase } from '../src/knowledge/knowledge-base.js';
import { loadKnowledgeFolder } from '../src/knowledge/knowledge-base-loader.js';
import { cancellationCall } from './fixtures/cancellation-call.js';
import { segment } from './support/events.js';

let kb: KnowledgeBase;
beforeAll(async () => {
  kb = new KnowledgeBase((await loadKnowledgeFolder(SAMPLE_KNOWLEDGE_BASE_DIR)).documents);
});
const deps = () => ({ newId: randomUUID, lookup: (id: string) => kb.get(id) });

describe('buildAgentAssistEntity', () => {
  it('builds schema-valid agentassist data from the sample call (utterances + article suggestion)', () => {
    const call = cancellationCall();
    const engine = new AssistEngine({ knowledgeBase: kb });
    const result = call
      .slice(0, 2)
      .map((s) => engine.addFinal(s))
      .at(-1)!;
    const data = buildAgentAssistEntity(
      { utterances: call.slice(0, 2), suggestions: result.suggestions!, position: 4.2 },
      deps(),
    );
    expect(agentAssistEntityDataSchema.safeParse(data).success).toBe(true);
    expect(isUuid(data?.id)).toBe(true);
    expect(data?.utterances?.map((u) => u.channel)).toEqual(['internal', 'external']);
    expect(data?.utterances?.[1]).toMatchObject({
      position: 'PT' + call[1]!.offset + 'S',
      isFinal: true,
      language: 'en-US',
    });
    const article = data?.suggestions?.[0];
    expect(article).toMatchObject({
      type: 'article',
      title: 'Cancelling a subscription and retention offers',
      position: 'PT4.2S',
    });
    expect(article && 'documentUri' in article ? article.documentUri : '').toBe(
      'kb://billing/cancellations-and-retention',
    );
    expect(isUuid(article?.id)).toBe(true);
  });

  it('turns FAQ entries into faq suggestions with sanitised HTML answers', () => {
    const data = buildAgentAssistEntity(
      {
        suggestions: [
          {
            id: 'billing-faq.md#i-have-been-charged-twice-this-month',
            title: 't',
            excerpt: 'e',
            source: 's',
            score: 0.9,
          },
        ],
      },
      deps(),
    );
    const faq = data?.suggestions?.[0];
    expect(faq?.type).toBe('faq');
    if (faq?.type !== 'faq') return;
    expect(faq.question).toBe('I have been charged twice this month');
    expect(faq.answer).toMatch(/^<p>Look at the payments tab\./);
    expect(agentAssistEntityDataSchema.safeParse(data).success).toBe(true);
  });

  it('strips scripts, event handlers and unsafe links from answers and bounds their length', () => {
    const html = answerHtml(
      'Hello <script>alert(1)</script> **bold** <img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a> <b onclick="x()">b</b>\n\n- one\n- two',
    );
    expect(html).not.toMatch(/<script|alert|onerror|onclick|javascript:|<img/);
    expect(html).toContain('<a>x</a>');
    expect(html).toContain('<b>b</b>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<ul><li>one</li><li>two</li></ul>');
    const long = answerHtml(
      Array.from({ length: 200 }, (_, i) => `Paragraph ${i} with some words in it.`).join('\n\n'),
    );
    expect(long.length).toBeLessThanOrEqual(MAX_ANSWER_HTML);
    expect(long.endsWith('</p>')).toBe(true);
  });

  it('clamps confidences to 0 … 1 and returns null when there is nothing to send', () => {
    const data = buildAgentAssistEntity(
      { suggestions: [{ id: 'x', title: 't', excerpt: 'e', source: 's', score: 7 }] },
      deps(),
    );
    expect(data?.suggestions?.[0]?.confidence).toBe(1);
    expect(buildAgentAssistEntity({ utterances: [{ ...segment('s', 'agent', ' ', 1) }] }, deps())).toBeNull();
    expect(buildAgentAssistEntity({}, deps())).toBeNull();
  });
});

describe('AgentAssistTracker', () => {
  it('sends each utterance and each suggestion once per session', () => {
    const tracker = new AgentAssistTracker(deps());
    const u1 = segment('u1', 'customer', 'I want to cancel', 1);
    const u2 = segment('u2', 'agent', 'Sure', 3);
    const s1 = { id: 'cancellations-and-retention.md', title: 't', excerpt: 'e', source: 's', score: 0.9 };
    expect(tracker.next({ utterances: [u1], suggestions: [s1] })).toMatchObject({
      utterances: [{ text: 'I want to cancel' }],
      suggestions: [{ type: 'article' }],
    });
    const second = tracker.next({ utterances: [u1, u2], suggestions: [s1] });
    expect(second?.utterances?.map((u) => u.text)).toEqual(['Sure']);
    expect(second?.suggestions).toBeUndefined();
    expect(tracker.next({ utterances: [u1, u2], suggestions: [s1] })).toBeNull();
  });
});
