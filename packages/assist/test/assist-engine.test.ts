import { beforeAll, describe, expect, it } from 'vitest';
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

function run(segments = cancellationCall()) {
  const engine = new AssistEngine({ knowledgeBase: kb });
  const updates = segments.map((s) => engine.addFinal(s));
  return { engine, updates, final: engine.end() };
}

describe('AssistEngine on the sample cancellation call', () => {
  it('publishes a snapshot per final, in local mode', () => {
    const { updates } = run();
    expect(updates.every((u) => u?.mode === 'local')).toBe(true);
  });

  it('summarises the issue, the need and the agent actions', () => {
    const { final } = run();
    expect(final.summary?.text).toMatch(/cancel/i);
    expect(final.summary?.customerNeed).toMatch(/cancel my subscription/i);
    expect(final.summary?.actions.join(' ')).toMatch(/processed a refund/);
    expect(final.summary?.actions.join(' ')).toMatch(/Essentials plan/);
  });

  it('names the recognised call reason in the summary (the dashboard counts intents by it)', () => {
    const { updates, final } = run();
    expect(updates[0]?.summary?.intent).toBeUndefined();
    expect(final.summary?.intent).toBe('cancellation');
  });

  it('suggests the retention article as soon as the customer asks to cancel', () => {
    const { updates } = run();
    const afterAsk = updates[1];
    expect(afterAsk?.suggestions?.[0]?.id).toBe('cancellations-and-retention.md');
    expect(afterAsk?.suggestions?.[0]?.excerpt.length).toBeGreaterThan(20);
  });

  it('raises the retention alert on that turn and keeps it in later snapshots', () => {
    const { updates, final } = run();
    expect(updates[1]?.alerts?.map((a) => a.rule)).toEqual(['retention']);
    expect(final.alerts?.map((a) => a.rule)).toEqual(['retention']); // disclosure was given in the first turn
  });

  it('tracks sentiment per turn: negative complaint, positive resolution, improving trend', () => {
    const { updates } = run();
    expect(updates[3]?.sentiment).toMatchObject({ role: 'customer', label: 'negative' });
    expect(updates[7]?.sentiment).toMatchObject({ role: 'customer', label: 'positive' });
    expect(updates[9]?.sentiment?.trend).toBeGreaterThan(0);
  });

  it("ends with a final summary and next steps from the agent's commitments", () => {
    const { final } = run();
    expect(final.finalSummary?.text).toMatch(/cancel/i);
    expect(final.finalSummary?.nextSteps.join(' ')).toMatch(/confirmation email/);
    expect(final.finalSummary?.nextSteps.join(' ')).toMatch(/refund within five working days/);
  });

  it('is deterministic', () => {
    expect(run().final).toEqual(run().final);
  });
});

describe('AssistEngine bad and edge input', () => {
  it('an empty call ends with a defined "no speech" summary', () => {
    const final = new AssistEngine({ knowledgeBase: kb }).end();
    expect(final.finalSummary).toEqual({ text: 'No speech was transcribed in this call.', nextSteps: [] });
    expect(final.alerts).toEqual([]);
    expect(final.mode).toBe('local');
  });

  it('a one-word call gets a neutral turn, no suggestions and a short summary', () => {
    const engine = new AssistEngine({ knowledgeBase: kb });
    const r = engine.addFinal(segment('s1', 'customer', 'Hello?', 1));
    expect(r?.sentiment?.label).toBe('neutral');
    expect(r?.suggestions).toEqual([]);
    expect(r?.summary?.text).toBe('Not enough conversation yet to summarise.');
    expect(engine.end().finalSummary?.nextSteps).toEqual([]);
  });

  it('ignores partials, blank text, duplicates (redelivery) and segments after the end', () => {
    const engine = new AssistEngine({ knowledgeBase: kb });
    const s = segment('s1', 'customer', 'I want to cancel my subscription', 1);
    expect(engine.addFinal({ ...s, isFinal: false })).toBeNull();
    expect(engine.addFinal({ ...s, id: 'blank', text: '   ' })).toBeNull();
    expect(engine.addFinal(s)).not.toBeNull();
    expect(engine.addFinal(s)).toBeNull();
    engine.end();
    expect(engine.addFinal(segment('s2', 'customer', 'one more thing', 9))).toBeNull();
    expect(engine.finalCount).toBe(1);
  });

  it('orders out-of-order finals by stream offset', () => {
    const engine = new AssistEngine();
    engine.addFinal(segment('b', 'agent', 'second', 5));
    engine.addFinal(segment('a', 'customer', 'first', 1));
    expect(engine.transcript().map((t) => t.segmentId)).toEqual(['a', 'b']);
  });

  it('a non-English call skips summary, sentiment and suggestions with a stated reason, but still runs alerts', () => {
    const engine = new AssistEngine({ knowledgeBase: kb });
    const r = engine.addFinal(
      segment('s1', 'customer', 'Quiero cancelar mi suscripción, speak to a manager', 1, 'es-ES'),
    );
    expect(r?.sentiment).toBeUndefined();
    expect(r?.suggestions).toEqual([]);
    expect(r?.summary?.text).toMatch(/supports English only; this call is in es-ES/);
    expect(r?.alerts?.map((a) => a.rule)).toEqual(['escalation']);
    expect(engine.end().finalSummary?.text).toMatch(/es-ES/);
  });

  it('works without a knowledge base (suggestions stay empty)', () => {
    const engine = new AssistEngine();
    expect(
      engine.addFinal(segment('s1', 'customer', 'I want to cancel my subscription', 1))?.suggestions,
    ).toEqual([]);
  });

  it('keeps the last suggestions when a turn matches nothing ("yes, okay")', () => {
    const engine = new AssistEngine({ knowledgeBase: kb });
    engine.addFinal(segment('s1', 'customer', 'My card was stolen this morning', 1));
    const r = engine.addFinal(segment('s2', 'customer', 'yes okay', 4));
    expect(r?.suggestions?.[0]?.id).toBe('lost-or-stolen-card.md');
  });

  it('bounds the turns it keeps', () => {
    const engine = new AssistEngine({ maxTurns: 5 });
    for (let i = 0; i < 20; i++) engine.addFinal(segment(`s${i}`, 'customer', `turn number ${i}`, i));
    expect(engine.transcript()).toHaveLength(5);
    expect(engine.finalCount).toBe(20);
  });
});

describe('AssistEngine on other call reasons', () => {
  it.each([
    [
      'stolen card',
      [
        'Hi, I think my card was stolen, my wallet was taken on the train this morning.',
        'There are two payments I do not recognise.',
      ],
      'a lost or stolen card',
      'lost-or-stolen-card.md',
    ],
    [
      'late parcel ("tracking hasn\'t moved" is not an address change)',
      [
        "My parcel still hasn't arrived, it's been over a week and the tracking hasn't moved.",
        'It was a birthday present.',
      ],
      'a delayed delivery',
      'delivery-delays.md',
    ],
    [
      'escalation',
      ['This is the third time I have called, I want to speak to a manager.', 'This is unacceptable.'],
      'a complaint',
      'complaints-and-escalations.md',
    ],
    [
      'house move',
      ["We're moving house next month, how do I change my address?"],
      'changing their address',
      'address-change.md',
    ],
  ])('%s: names the reason and suggests the matching article', (_, lines, label, article) => {
    const engine = new AssistEngine({ knowledgeBase: kb });
    lines.forEach((text, i) => engine.addFinal(segment(`s${i}`, 'customer', text, i * 5)));
    const r = engine.end();
    expect(r.summary?.text).toContain(`Customer is calling about ${label}.`);
    expect(r.suggestions?.[0]?.id).toBe(article);
  });
});
