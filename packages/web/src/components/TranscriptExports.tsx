import { useState } from 'react';
import type { ApiClient } from '../api/api-client.js';
import type { TranscriptFormat } from '../api/types.js';
import { saveDownload } from '../lib/save-download.js';

const FORMATS: { format: TranscriptFormat; label: string }[] = [
  { format: 'text', label: 'Text' },
  { format: 'json', label: 'JSON' },
  { format: 'srt', label: 'SRT' },
  { format: 'vtt', label: 'WebVTT' },
];

/** Transcript downloads (supervisor role): fetched with the token, saved as a file. */
export function TranscriptExports({ api, id }: { api: ApiClient; id: string }) {
  const [error, setError] = useState<string | null>(null);
  const download = (format: TranscriptFormat) => {
    setError(null);
    api.download(api.transcriptPath(id, format)).then(saveDownload, (err: Error) => setError(err.message));
  };
  return (
    <div className="exports" role="group" aria-label="Export transcript">
      <span className="muted small">Export</span>
      {FORMATS.map(({ format, label }) => (
        <button key={format} type="button" className="small" onClick={() => download(format)}>
          {label}
        </button>
      ))}
      {error && (
        <span className="error small" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
