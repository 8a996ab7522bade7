/** Local assist's lexicons, intents, stop words and the sample KB are English: other languages get a defined skip. */
export function isSupportedLanguage(language: string | null | undefined): boolean {
  if (!language) return true; // engines that do not report a language: assume the configured (English) default
  return /^en(?:-|_|$)/i.test(language.trim());
}

export function unsupportedLanguageText(language: string): string {
  return `Local assist supports English only; this call is in ${language}, so summary, sentiment and knowledge suggestions are skipped (alerts still run).`;
}
