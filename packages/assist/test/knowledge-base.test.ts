import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_KNOWLEDGE_BASE_DIR } from '../src/config/assist-config.js';
import { KnowledgeBase } from '../src/knowledge/knowledge-base.js';
import { loadKnowledgeFolder, MAX_KB_FILE_BYTES } from '../src/knowledge/knowledge-base-loader.js';
import { parseKnowledgeFile } from '../src/knowledge/markdown-knowledge-parser.js';

describe('sample knowledge base', () => {
  let kb: KnowledgeBase;
  beforeAll(async () => {
    const loaded = await loadKnowledgeFolder(SAMPLE_KNOWLEDGE_BASE_DIR);
    expect(loaded.warnings).toEqual([]);
    kb = new KnowledgeBase(loaded.documents);
  });

  it('loads every shipped article and FAQ entry', () => {
    expect(new Set(kb.documents.map((d) => d.source)).size).toBeGreaterThanOrEqual(10);
    expect(
      kb.documents.some(
        (d) => d.kind === 'faq' && d.id === 'billing-faq.md#i-have-been-charged-twice-this-month',
      ),
    ).toBe(true);
  });

  it.each([
    ['I want to cancel my subscription, it is too expensive', 'cancellations-and-retention.md'],
    ['I think my card was stolen yesterday', 'lost-or-stolen-card.md'],
    ["I forgot my password and now I'm locked out", 'password-reset.md'],
    ["my parcel still hasn't arrived, the tracking hasn't moved", 'delivery-delays.md'],
    ["we're moving house next month, how do I change my address", 'address-change.md'],
    ["I can't afford the payments, can I pay in instalments", 'payment-plans.md'],
    ['I have been charged twice this month', 'billing-faq.md#i-have-been-charged-twice-this-month'],
  ])('ranks the right document first for "%s"', (query, id) => {
    expect(kb.search(query)[0]?.document.id).toBe(id);
  });

  it('stems: "cancelling" finds the cancellation article', () => {
    expect(kb.search('cancelling')[0]?.document.id).toBe('cancellations-and-retention.md');
  });

  it('gives confidences in 0 … 1, best first, and an excerpt from the matching passage', () => {
    const hits = kb.search('refund for a duplicate payment charged twice');
    expect(hits.length).toBeGreaterThan(0);
    for (const h of hits) {
      expect(h.confidence).toBeGreaterThan(0);
      expect(h.confidence).toBeLessThanOrEqual(1);
    }
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
    expect(hits[0]?.excerpt).not.toMatch(/\*\*/);
  });

  it('returns nothing for small talk, stop words or an empty query', () => {
    expect(kb.search('')).toEqual([]);
    expect(kb.search('yes okay thanks')).toEqual([]);
    expect(kb.search('hello')).toEqual([]);
  });
});

describe('loading a broken knowledge-base folder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookscribe-kb-'));
    await writeFile(join(dir, 'good.md'), '# Returns\n\nItems can be returned within 30 days for a refund.');
    await writeFile(join(dir, 'empty.md'), '');
    await writeFile(join(dir, 'only-front-matter.md'), '---\ntitle: x\n---\n');
    await writeFile(join(dir, 'bad-yaml.md'), '---\ntitle: [unclosed\n---\nbody text');
    await writeFile(join(dir, 'bad-type.md'), '---\ntype: poem\n---\nbody text');
    await writeFile(join(dir, 'binary.md'), Buffer.from([0x23, 0x20, 0x00, 0x01, 0x02]));
    await writeFile(join(dir, 'big.md'), 'a '.repeat(MAX_KB_FILE_BYTES));
    await writeFile(join(dir, 'faq-without-answers.md'), '---\ntype: faq\n---\n# FAQ\n\n## Question only?\n');
    await writeFile(join(dir, 'ignored.pdf'), 'not markdown');
    await symlink(join(dir, 'missing-target.md'), join(dir, 'dangling.md'));
    await mkdir(join(dir, 'nested'));
    await writeFile(
      join(dir, 'nested', 'shipping-faq.md'),
      '# Shipping\n\n## How long does shipping take?\nThree to five working days.',
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps the good files and gives one warning per bad file, without throwing', async () => {
    const { documents, warnings } = await loadKnowledgeFolder(dir);
    expect(documents.map((d) => d.id).sort()).toEqual([
      'good.md',
      'nested/shipping-faq.md#how-long-does-shipping-take',
    ]);
    const reasons = Object.fromEntries(warnings.map((w) => [w.file, w.reason]));
    expect(Object.keys(reasons).sort()).toEqual(
      [
        'bad-type.md',
        'bad-yaml.md',
        'big.md',
        'binary.md',
        'dangling.md',
        'empty.md',
        'faq-without-answers.md',
        'only-front-matter.md',
      ].sort(),
    );
    expect(reasons['empty.md']).toBe('empty file');
    expect(reasons['binary.md']).toBe('binary content');
    expect(reasons['bad-yaml.md']).toMatch(/not valid YAML/);
    expect(reasons['bad-type.md']).toMatch(/front matter is invalid/);
    expect(reasons['dangling.md']).toMatch(/ENOENT/);
  });

  it('a missing folder is a warning and an empty, working knowledge base', async () => {
    const { documents, warnings } = await loadKnowledgeFolder(join(dir, 'does-not-exist'));
    expect(documents).toEqual([]);
    expect(warnings[0]?.reason).toMatch(/cannot read the knowledge-base folder/);
    expect(new KnowledgeBase(documents).search('refund')).toEqual([]);
  });
});

describe('parseKnowledgeFile', () => {
  it('takes the title from front matter, else the first heading, else the file name', () => {
    expect(parseKnowledgeFile('a.md', '---\ntitle: T1\n---\n# H\n\ntext')[0]?.title).toBe('T1');
    expect(parseKnowledgeFile('a.md', '# H\n\ntext')[0]?.title).toBe('H');
    expect(parseKnowledgeFile('notes/a.txt', 'just text')[0]?.title).toBe('notes/a');
  });
});
