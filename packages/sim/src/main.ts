import type { AudioSource } from './audio-source.js';
import { formatLoadSummary, runLoad } from './load-mode.js';
import { openSource } from './open-source.js';
import { parseOptions, usage, UsageError } from './options.js';
import { output, type Streams } from './output.js';
import { formatSingleSummary, runSingle } from './single-run.js';
import { WavSourceError } from './wav-source.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * hookscribe-sim as a function: parses argv, runs one session or a load run, prints, and returns the exit code
 * (0 all expectations met, 1 a violation or failed expectation, 2 usage error).
 */
export async function main(argv: string[], streams: Streams = process): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    streams.stderr.write(`hookscribe-sim: ${err.message}\n\n${usage}\n`);
    return EXIT_USAGE;
  }
  if (options === 'help') {
    streams.stdout.write(`${usage}\n`);
    return EXIT_OK;
  }
  const out = output(streams, options.json);

  let source: AudioSource;
  try {
    source = await openSource(options.audio);
  } catch (err) {
    if (!(err instanceof WavSourceError)) throw err;
    streams.stderr.write(`hookscribe-sim: ${err.message}\n`);
    return EXIT_USAGE;
  }

  if (options.sessions !== null) {
    const summary = await runLoad(options, source, out);
    streams.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${formatLoadSummary(summary)}\n`);
    return summary.exitCode;
  }
  const summary = await runSingle(options, source, out);
  streams.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : `${formatSingleSummary(summary)}\n`);
  return summary.exitCode;
}
