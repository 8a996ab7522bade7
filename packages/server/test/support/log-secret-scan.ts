/** The secret scan the end-to-end tests run over every log line of a run (docs/security.md, "Secrets in logs"). */

/** Lines (or JSON log entries) that contain any of the secrets, named by line number and the secret's first chars. */
export function secretsInLog(
  lines: readonly (string | Record<string, unknown>)[],
  secrets: readonly string[],
): string[] {
  const wanted = secrets.filter((s) => s.length >= 8);
  return lines.flatMap((line, index) => {
    const text = typeof line === 'string' ? line : JSON.stringify(line);
    return wanted.filter((s) => text.includes(s)).map((s) => `line ${index}: ${s.slice(0, 4)}…`);
  });
}
