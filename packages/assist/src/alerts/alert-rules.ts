/**
 * Alert rule configuration: schema (zod), compilation to matchers, and loading from a JSON or YAML file
 * (HOOKSCRIBE_ASSIST_RULES). Errors name the file and the offending rule field.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_ALERT_RULES } from './default-alert-rules.js';

const RuleRole = z.enum(['customer', 'agent', 'any']);

export const AlertRuleSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-" only'),
    /** `match` fires when a turn matches; `missing` fires when no turn matched by `withinSeconds` (or the call end) */
    type: z.enum(['match', 'missing']).default('match'),
    role: RuleRole.default('any'),
    severity: z.enum(['info', 'warning', 'critical']).default('warning'),
    message: z.string().min(1),
    /** case-insensitive phrases, matched on word boundaries */
    phrases: z.array(z.string().min(1)).default([]),
    /** case-insensitive single words, matched as whole words */
    keywords: z
      .array(z.string().regex(/^\S+$/, 'a keyword is one word; use phrases for several'))
      .default([]),
    /** JavaScript regular expressions, matched case-insensitively */
    regex: z.array(z.string().min(1)).default([]),
    /** for `missing` rules: stream time (seconds) by which a match must have happened */
    withinSeconds: z.number().positive().optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.phrases.length + rule.keywords.length + rule.regex.length === 0)
      ctx.addIssue({ code: 'custom', message: 'needs at least one of phrases, keywords or regex' });
    rule.regex.forEach((source, i) => {
      try {
        new RegExp(source, 'iu');
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: ['regex', i],
          message: `invalid regular expression: ${(err as Error).message}`,
        });
      }
    });
    if (rule.type === 'missing' && rule.role === 'any')
      ctx.addIssue({
        code: 'custom',
        path: ['role'],
        message: 'a "missing" rule must name the role (customer or agent)',
      });
  });

export type AlertRuleConfig = z.input<typeof AlertRuleSchema>;
export type AlertRule = z.output<typeof AlertRuleSchema>;

/** A rules file is either a list of rules or `{ includeDefaults, rules }`. */
export const AlertRulesListSchema = z.array(AlertRuleSchema);
export const AlertRulesObjectSchema = z
  .object({
    /** true = add these rules to the defaults (a rule with a default's id replaces it); false = use only these */
    includeDefaults: z.boolean().default(false),
    rules: AlertRulesListSchema,
  })
  .strict();

export interface CompiledAlertRule {
  rule: AlertRule;
  matcher: RegExp;
}

export class AlertRulesError extends Error {
  override name = 'AlertRulesError';
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One case-insensitive regex per rule: phrases/keywords on word boundaries (whitespace-tolerant), raw regexes as given. */
export function compileAlertRules(rules: readonly AlertRule[]): CompiledAlertRule[] {
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.id)) throw new AlertRulesError(`duplicate alert rule id "${r.id}"`);
    seen.add(r.id);
  }
  return rules.map((rule) => {
    const literal = [...rule.phrases, ...rule.keywords].map(
      (p) => `(?<![\\p{L}\\p{N}])${p.trim().split(/\s+/).map(escapeRegex).join('\\s+')}(?![\\p{L}\\p{N}])`,
    );
    const sources = [...literal, ...rule.regex.map((r) => `(?:${r})`)];
    return { rule, matcher: new RegExp(sources.join('|'), 'iu') };
  });
}

export function parseAlertRules(value: unknown, origin = 'alert rules'): AlertRule[] {
  // pick the schema by shape so errors point at the rule field, not at "invalid union"
  if (Array.isArray(value)) {
    const list = AlertRulesListSchema.safeParse(value);
    if (!list.success) throw new AlertRulesError(`${origin} are invalid:\n${z.prettifyError(list.error)}`);
    return list.data;
  }
  const parsed = AlertRulesObjectSchema.safeParse(value);
  if (!parsed.success) throw new AlertRulesError(`${origin} are invalid:\n${z.prettifyError(parsed.error)}`);
  const { includeDefaults, rules } = parsed.data;
  if (!includeDefaults) return rules;
  const ids = new Set(rules.map((r) => r.id));
  return [...defaultAlertRules().filter((r) => !ids.has(r.id)), ...rules];
}

export function defaultAlertRules(): AlertRule[] {
  return z.array(AlertRuleSchema).parse(DEFAULT_ALERT_RULES);
}

/** Reads a .json/.yaml/.yml rules file. Throws AlertRulesError with the path and the problem. */
export async function loadAlertRulesFile(path: string): Promise<AlertRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new AlertRulesError(`cannot read alert rules file ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text); // YAML 1.2 is a superset of JSON
  } catch (err) {
    throw new AlertRulesError(
      `alert rules file ${path} is not valid JSON/YAML: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const rules = parseAlertRules(value, `alert rules in ${path}`);
  compileAlertRules(rules); // surface duplicate ids now
  return rules;
}
