/** One searchable knowledge-base entry: a whole article, or one question/answer pair of an FAQ file. */
export interface KnowledgeDocument {
  /** stable id: the file's path relative to the KB folder, plus `#question-slug` for FAQ entries */
  id: string;
  kind: 'article' | 'faq';
  /** article title, or the FAQ question */
  title: string;
  /** article text, or the FAQ answer (Markdown) */
  body: string;
  tags: string[];
  /** path relative to the KB folder */
  source: string;
  /** a link for agents (front matter `url`), else the source path */
  uri: string;
}

/** Why a KB file was skipped — logged as a warning; loading never fails because of one file. */
export interface KnowledgeBaseWarning {
  file: string;
  reason: string;
}
