/**
 * Editable prompt templates. Each template is a Markdown file with a `## system` and a `## user` section and
 * `{{placeholder}}`s. The shipped ones live in packages/assist/prompts/; a file of the same name in the override
 * folder (HOOKSCRIBE_ASSIST_PROMPTS_DIR) replaces it. Templates are checked when loaded, not when first used.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHIPPED_PROMPTS_DIR = fileURLToPath(new URL('../../prompts/', import.meta.url));

export const TEMPLATE_PLACEHOLDERS = {
  summary: ['transcript', 'candidates', 'language'],
  'final-summary': ['transcript', 'language'],
} as const;

export type TemplateName = keyof typeof TEMPLATE_PLACEHOLDERS;

export interface PromptTemplate {
  name: TemplateName;
  system: string;
  user: string;
  /** file it came from */
  path: string;
}

export type PromptTemplates = Record<TemplateName, PromptTemplate>;

export class PromptTemplateError extends Error {
  override name = 'PromptTemplateError';
}

export function parsePromptTemplate(name: TemplateName, text: string, path: string): PromptTemplate {
  const m = /^##\s*system\s*$([\s\S]*?)^##\s*user\s*$([\s\S]*)/im.exec(text);
  if (!m)
    throw new PromptTemplateError(
      `prompt template ${path} needs a "## system" section followed by a "## user" section`,
    );
  const system = (m[1] ?? '').trim();
  const user = (m[2] ?? '').trim();
  const allowed: readonly string[] = TEMPLATE_PLACEHOLDERS[name];
  for (const [, key] of `${system}\n${user}`.matchAll(/\{\{\s*([\w-]+)\s*\}\}/g)) {
    if (!allowed.includes(key ?? ''))
      throw new PromptTemplateError(
        `prompt template ${path} uses unknown placeholder {{${key}}}; allowed: ${allowed.join(', ')}`,
      );
  }
  if (!/\{\{\s*transcript\s*\}\}/.test(user))
    throw new PromptTemplateError(`prompt template ${path} must include {{transcript}} in its user section`);
  return { name, system, user, path };
}

/** Loads every template, preferring `overrideDir/<name>.md` when it exists. */
export async function loadPromptTemplates(overrideDir?: string | null): Promise<PromptTemplates> {
  const out = {} as PromptTemplates;
  for (const name of Object.keys(TEMPLATE_PLACEHOLDERS) as TemplateName[]) {
    let path = join(SHIPPED_PROMPTS_DIR, `${name}.md`);
    let text: string | null = null;
    if (overrideDir) {
      const candidate = join(overrideDir, `${name}.md`);
      try {
        text = await readFile(candidate, 'utf8');
        path = candidate;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          throw new PromptTemplateError(
            `cannot read prompt template ${candidate}: ${(err as Error).message}`,
          );
      }
    }
    text ??= await readFile(path, 'utf8');
    out[name] = parsePromptTemplate(name, text, path);
  }
  return out;
}

export function renderTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([\w-]+)\s*\}\}/g, (_, key: string) => values[key] ?? '');
}
