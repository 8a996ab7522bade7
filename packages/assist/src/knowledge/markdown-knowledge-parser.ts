/**
 * Parses one Markdown KB file into documents. Optional YAML front matter: `title`, `type: faq|article`, `tags`, `url`.
 * FAQ files (type faq, or "faq" in the file name) yield one document per `## Question` heading.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { KnowledgeDocument } from './knowledge-document.js';

const FrontMatter = z
  .object({
    title: z.string().min(1).optional(),
    type: z.enum(['faq', 'article']).optional(),
    tags: z.union([z.array(z.string()), z.string()]).optional(),
    url: z.string().optional(),
  })
  .loose();

export class KnowledgeFileError extends Error {
  override name = 'KnowledgeFileError';
}

function splitFrontMatter(text: string): { meta: z.infer<typeof FrontMatter>; body: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!m) return { meta: {}, body: text };
  let raw: unknown;
  try {
    raw = parseYaml(m[1] ?? '') ?? {};
  } catch (err) {
    throw new KnowledgeFileError(`front matter is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  const meta = FrontMatter.safeParse(raw);
  if (!meta.success) throw new KnowledgeFileError(`front matter is invalid: ${z.prettifyError(meta.error)}`);
  return { meta: meta.data, body: text.slice(m[0].length) };
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

export function parseKnowledgeFile(source: string, text: string): KnowledgeDocument[] {
  if (text.includes('\u0000')) throw new KnowledgeFileError('binary content');
  const { meta, body } = splitFrontMatter(text.replace(/^\uFEFF/, ''));
  if (body.trim().length === 0) throw new KnowledgeFileError('empty file');
  const tags = typeof meta.tags === 'string' ? meta.tags.split(',').map((t) => t.trim()) : (meta.tags ?? []);
  const uri = meta.url ?? source;
  const heading = /^#\s+(.+)$/m.exec(body);
  const title = meta.title ?? heading?.[1]?.trim() ?? source.replace(/\.[^.]+$/, '');
  const isFaq = meta.type === 'faq' || (meta.type === undefined && /faq/i.test(source));

  if (isFaq) {
    const entries = body.split(/^##\s+/m).slice(1);
    const docs = entries
      .map((entry) => {
        const nl = entry.indexOf('\n');
        const question = (nl < 0 ? entry : entry.slice(0, nl)).trim();
        const answer = nl < 0 ? '' : entry.slice(nl + 1).trim();
        return { question, answer };
      })
      .filter((e) => e.question && e.answer)
      .map((e): KnowledgeDocument => ({
        id: `${source}#${slug(e.question)}`,
        kind: 'faq',
        title: e.question,
        body: e.answer,
        tags,
        source,
        uri,
      }));
    if (docs.length === 0)
      throw new KnowledgeFileError('FAQ file has no "## question" sections with answers');
    return docs;
  }
  const text0 = body.replace(/^#\s+.+$/m, '').trim();
  if (text0.length === 0) throw new KnowledgeFileError('article has a title but no text');
  return [{ id: source, kind: 'article', title, body: text0, tags, source, uri }];
}
