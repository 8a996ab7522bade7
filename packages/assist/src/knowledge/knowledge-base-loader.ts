/**
 * Loads a knowledge-base folder (recursively): .md, .markdown and .txt files. A file that cannot be read, is empty,
 * binary, too large or malformed is skipped with a warning — one bad file never stops the others.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { KnowledgeBaseWarning, KnowledgeDocument } from './knowledge-document.js';
import { parseKnowledgeFile } from './markdown-knowledge-parser.js';

const EXTENSIONS = /\.(md|markdown|txt)$/i;
export const MAX_KB_FILE_BYTES = 1024 * 1024;

export interface LoadedKnowledge {
  documents: KnowledgeDocument[];
  warnings: KnowledgeBaseWarning[];
}

export async function loadKnowledgeFolder(dir: string): Promise<LoadedKnowledge> {
  const documents: KnowledgeDocument[] = [];
  const warnings: KnowledgeBaseWarning[] = [];
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })).map(String).sort();
  } catch (err) {
    warnings.push({ file: dir, reason: `cannot read the knowledge-base folder: ${(err as Error).message}` });
    return { documents, warnings };
  }
  for (const entry of entries) {
    if (!EXTENSIONS.test(entry)) continue;
    const path = join(dir, entry);
    const source = relative(dir, path).split(sep).join('/');
    try {
      const info = await stat(path);
      if (!info.isFile()) continue;
      if (info.size > MAX_KB_FILE_BYTES) {
        warnings.push({ file: source, reason: `larger than ${MAX_KB_FILE_BYTES} bytes` });
        continue;
      }
      const text = await readFile(path, 'utf8');
      documents.push(...parseKnowledgeFile(source, text));
    } catch (err) {
      warnings.push({ file: source, reason: (err as Error).message });
    }
  }
  if (documents.length === 0)
    warnings.push({ file: dir, reason: 'no usable knowledge-base documents found' });
  return { documents, warnings };
}
