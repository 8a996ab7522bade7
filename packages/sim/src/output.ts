/**
 * Where the simulator writes. `result` is the primary output (stdout); `log` is diagnostics (stderr).
 * With --json the summary is the only thing on stdout, so results go to the log instead.
 */
export interface Output {
  result(line: string): void;
  log(line: string): void;
}

export interface Streams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export function output(streams: Streams, json: boolean): Output {
  const err = (line: string) => void streams.stderr.write(`${line}\n`);
  return {
    result: json ? err : (line) => void streams.stdout.write(`${line}\n`),
    log: err,
  };
}
