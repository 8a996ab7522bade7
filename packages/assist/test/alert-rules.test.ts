import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEvaluator } from '../src/alerts/alert-evaluator.js';
import {
  AlertRulesError,
  compileAlertRules,
  defaultAlertRules,
  loadAlertRulesFile,
  parseAlertRules,
} from '../src/alerts/alert-rules.js';

const turn = (role: 'customer' | 'agent', text: string, segmentId = 's1', endSeconds = 5) => ({
  role,
  text,
  segmentId,
  endSeconds,
});

describe('default alert rules', () => {
  const evaluator = () => new AlertEvaluator(compileAlertRules(defaultAlertRules()));

  it.each([
    ['I want to cancel my account today', 'retention', 'warning'],
    ['Can I speak to a manager please', 'escalation', 'critical'],
    ['put me through to your supervisor now', 'escalation', 'critical'],
    ['this is fucking ridiculous', 'abuse', 'critical'],
    ["I'll be calling my lawyer about this", 'legal-threat', 'critical'],
    ["I lost my job and can't afford it", 'vulnerability', 'warning'],
  ])('customer "%s" raises %s (%s)', (text, rule, severity) => {
    const alerts = evaluator().onTurn(turn('customer', text));
    expect(alerts.map((a) => [a.rule, a.severity])).toContainEqual([rule, severity]);
    expect(alerts.find((a) => a.rule === rule)?.text).toContain(text.slice(0, 10));
  });

  it('matches whole words only ("scrap" is not "crap") and respects the role', () => {
    const e = evaluator();
    expect(e.onTurn(turn('customer', 'please scrap the old order'))).toEqual([]);
    expect(e.onTurn(turn('agent', 'if you want to cancel my account team can help'))).toEqual([]);
  });

  it('fires each rule once per conversation, with an id derived from rule and segment', () => {
    const e = evaluator();
    expect(e.onTurn(turn('customer', 'I want to cancel my subscription', 'seg-1'))[0]?.id).toBe(
      'retention:seg-1',
    );
    expect(e.onTurn(turn('customer', 'I really want to cancel my subscription', 'seg-2'))).toEqual([]);
  });

  it('raises the recording-disclosure alert when the agent has not said it within 60 s', () => {
    const e = evaluator();
    expect(e.onTurn(turn('agent', 'Hello, how can I help?', 'a1', 10))).toEqual([]);
    const late = e.onTurn(turn('customer', 'my bill is wrong', 'c1', 61));
    expect(late.map((a) => a.id)).toEqual(['recording-disclosure:c1']);
  });

  it('does not raise it when the agent said it, and raises it at the end of a short call where nobody did', () => {
    const ok = evaluator();
    ok.onTurn(turn('agent', 'This call is being recorded for training.', 'a1', 4));
    ok.onTurn(turn('customer', 'fine', 'c1', 90));
    expect(ok.onEnd('c1')).toEqual([]);
    const short = evaluator();
    short.onTurn(turn('agent', 'Hello?', 'a1', 3));
    expect(short.onEnd('a1').map((a) => a.rule)).toEqual(['recording-disclosure']);
    expect(evaluator().onEnd(null)).toEqual([]); // nobody spoke: nothing to flag
  });
});

describe('alert rules files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookscribe-rules-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const write = async (name: string, text: string) => {
    const p = join(dir, name);
    await writeFile(p, text);
    return p;
  };

  it('loads YAML with keywords, phrases and regex, replacing the defaults', async () => {
    const path = await write(
      'rules.yaml',
      `rules:
  - id: competitor
    role: customer
    severity: info
    message: Competitor mentioned
    keywords: [contoso]
    regex: ['fabri\\w+']
`,
    );
    const rules = await loadAlertRulesFile(path);
    expect(rules.map((r) => r.id)).toEqual(['competitor']);
    const e = new AlertEvaluator(compileAlertRules(rules));
    expect(e.onTurn(turn('customer', 'Contoso offered me less'))[0]?.rule).toBe('competitor');
    const e2 = new AlertEvaluator(compileAlertRules(rules));
    expect(e2.onTurn(turn('customer', 'fabrikam is cheaper'))[0]?.rule).toBe('competitor');
  });

  it('loads a JSON array and can extend the defaults (same id replaces a default)', async () => {
    expect(
      (
        await loadAlertRulesFile(
          await write('r.json', '[{"id":"x","message":"m","phrases":["hello there"]}]'),
        )
      ).map((r) => r.id),
    ).toEqual(['x']);
    const extended = parseAlertRules({
      includeDefaults: true,
      rules: [{ id: 'retention', message: 'mine', phrases: ['leave you'] }],
    });
    expect(extended.filter((r) => r.id === 'retention')).toHaveLength(1);
    expect(extended.find((r) => r.id === 'retention')?.message).toBe('mine');
    expect(extended.some((r) => r.id === 'escalation')).toBe(true);
  });

  it.each([
    [
      'a rule with no matcher',
      [{ id: 'x', message: 'm' }],
      /needs at least one of phrases, keywords or regex/,
    ],
    [
      'an invalid regex',
      [{ id: 'x', message: 'm', regex: ['(unclosed'] }],
      /invalid regular expression[\s\S]*regex\[0\]/,
    ],
    ['an unknown severity', [{ id: 'x', message: 'm', phrases: ['a'], severity: 'urgent' }], /severity/],
    ['a file that is neither a list nor {rules}', { alerts: [] }, /rules/],
    ['an unknown field', [{ id: 'x', message: 'm', phrases: ['a'], colour: 'red' }], /colour/],
    ['a multi-word keyword', [{ id: 'x', message: 'm', keywords: ['two words'] }], /a keyword is one word/],
    [
      'a missing rule without role',
      [{ id: 'x', type: 'missing', message: 'm', phrases: ['a'] }],
      /must name the role/,
    ],
    ['a bad id', [{ id: 'has space', message: 'm', phrases: ['a'] }], /id/],
  ])('rejects %s with a clear error', (_, value, pattern) => {
    expect(() => parseAlertRules(value, 'test rules')).toThrow(AlertRulesError);
    expect(() => parseAlertRules(value, 'test rules')).toThrow(pattern);
  });

  it('names the file for unreadable, unparsable and duplicate-id files', async () => {
    await expect(loadAlertRulesFile(join(dir, 'nope.yaml'))).rejects.toThrow(
      /cannot read alert rules file .*nope\.yaml/,
    );
    await expect(loadAlertRulesFile(await write('bad.yaml', 'rules: [\n'))).rejects.toThrow(
      /bad\.yaml is not valid JSON\/YAML/,
    );
    await expect(
      loadAlertRulesFile(
        await write(
          'dup.json',
          '[{"id":"a","message":"m","phrases":["x"]},{"id":"a","message":"m","phrases":["y"]}]',
        ),
      ),
    ).rejects.toThrow(/duplicate alert rule id "a"/);
  });
});
