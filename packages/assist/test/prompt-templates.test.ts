import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadPromptTemplates,
  parsePromptTemplate,
  PromptTemplateError,
  renderTemplate,
} from '../src/llm/prompt-templates.js';
import { parseJsonAnswer, LlmAnswerError } from '../src/llm/llm-assistant.js';

describe('prompt templates', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookscribe-prompts-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads the shipped templates', async () => {
    const t = await loadPromptTemplates();
    expect(t.summary.system).toMatch(/contact-centre agent/);
    expect(t.summary.user).toMatch(/\{\{transcript\}\}/);
    expect(t['final-summary'].path).toMatch(/prompts[/\\]final-summary\.md$/);
  });

  it('prefers a file of the same name in the override folder, per template', async () => {
    await writeFile(join(dir, 'summary.md'), '## system\nBe brief.\n## user\n{{transcript}}\n');
    const t = await loadPromptTemplates(dir);
    expect(t.summary).toMatchObject({
      system: 'Be brief.',
      user: '{{transcript}}',
      path: join(dir, 'summary.md'),
    });
    expect(t['final-summary'].system).toMatch(/after-call summary/);
  });

  it.each([
    ['no sections', 'just text {{transcript}}', /needs a "## system" section/],
    [
      'an unknown placeholder',
      '## system\nx\n## user\n{{transcript}} {{customerName}}',
      /unknown placeholder \{\{customerName\}\}/,
    ],
    ['no transcript', '## system\nx\n## user\nsummarise', /must include \{\{transcript\}\}/],
  ])('rejects a template with %s', (_, text, pattern) => {
    expect(() => parsePromptTemplate('summary', text, 'x.md')).toThrow(PromptTemplateError);
    expect(() => parsePromptTemplate('summary', text, 'x.md')).toThrow(pattern);
  });

  it('renders placeholders', () => {
    expect(renderTemplate('a {{ transcript }} b {{language}}', { transcript: 'T', language: 'en-US' })).toBe(
      'a T b en-US',
    );
  });
});

describe('parseJsonAnswer', () => {
  it('accepts JSON wrapped in fences or prose', () => {
    expect(parseJsonAnswer('```json\n{"a":1}\n```')).toEqual({ a: 1 });
    expect(parseJsonAnswer('Here you go: {"a":{"b":2}} hope it helps')).toEqual({ a: { b: 2 } });
  });
  it('rejects answers without a JSON object', () => {
    expect(() => parseJsonAnswer('I cannot help with that')).toThrow(LlmAnswerError);
    expect(() => parseJsonAnswer('{"a": nope}')).toThrow(/not valid JSON/);
  });
});
