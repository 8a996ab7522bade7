/**
 * onnxruntime-node (1.30, Silero VAD's runtime) ships Microsoft's 1DS telemetry client on Linux: loading it starts a
 * telemetry session (`.ses` and `mat-debug-<pid>.log` in the temp dir) unless ORT_DISABLE_TELEMETRY is set. hookscribe
 * runs offline and private, so telemetry is off unless the operator sets the variable. The library reads it from the
 * process environment when it loads: this runs on the main thread (a worker's process.env is only its own copy)
 * before the first Silero model loads.
 */
export function disableOnnxRuntimeTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env.ORT_DISABLE_TELEMETRY ??= '1';
}
