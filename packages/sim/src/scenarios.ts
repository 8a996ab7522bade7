/**
 * The scenario catalogue: what the simulated Genesys client does during one session, as data that SimSession plays.
 * Times are positions on the stream timeline in milliseconds, so a scenario plays the same in --realtime and --fast.
 * Every scenario also answers server `pause`/`resume`, `startPaused` and `discardTo` like the reference client.
 */
export type ScenarioAction =
  /** client-initiated pause: send `paused`, keep the stream clock running, then `resumed` with the discarded span */
  | { kind: 'client-pause'; atMs: number; lengthMs: number }
  /** drop a stretch of audio and tell the server with `discarded` */
  | { kind: 'discard'; atMs: number; lengthMs: number }
  | { kind: 'update-language'; atMs: number; language: string }
  /** client error followed by close(reason "error") */
  | { kind: 'client-error'; atMs: number; code: number; message: string };

export interface Scenario {
  name: string;
  description: string;
  /** nil conversation and participant ids, empty strings, close right after `opened`, no audio */
  probe: boolean;
  /** sign the upgrade with a wrong secret and expect HTTP 401 without an upgrade */
  badSignature: boolean;
  /** pings sent back to back (each right after the previous pong) after opened; 0 = only periodic pings */
  pingBurst: number;
  /** fail unless the server paused the stream at least once (pause message or opened.startPaused) */
  requiresServerPause: boolean;
  actions(durationMs: number): ScenarioAction[];
}

const plain = { probe: false, badSignature: false, pingBurst: 0, requiresServerPause: false };

const catalogue = {
  basic: {
    ...plain,
    name: 'basic',
    description: 'open, stream the audio, ping every 5 s (with the previous rtt), close',
    actions: () => [],
  },
  ping: {
    ...plain,
    name: 'ping',
    description: 'basic plus five pings back to back right after opened; every pong must echo its ping seq',
    pingBurst: 5,
    actions: () => [],
  },
  'pause-resume': {
    ...plain,
    name: 'pause-resume',
    description: 'client pause at 1/3 of the audio for 1/3 of it, then resumed with the discarded span',
    actions: (d: number) => [
      { kind: 'client-pause', atMs: frameAligned(d / 3), lengthMs: frameAligned(d / 3) },
    ],
  },
  discarded: {
    ...plain,
    name: 'discarded',
    description: 'drop 1/4 of the audio at 1/3 and send discarded for it',
    actions: (d: number) => [{ kind: 'discard', atMs: frameAligned(d / 3), lengthMs: frameAligned(d / 4) }],
  },
  'update-language': {
    ...plain,
    name: 'update-language',
    description: 'update the language mid-stream (to fr-FR, or en-US when already fr-FR)',
    actions: (d: number) => [{ kind: 'update-language', atMs: frameAligned(d / 2), language: 'fr-FR' }],
  },
  error: {
    ...plain,
    name: 'error',
    description: 'client error 500 after 1/3 of the audio, then close with reason error',
    actions: (d: number) => [
      {
        kind: 'client-error',
        atMs: frameAligned(d / 3),
        code: 500,
        message: 'hookscribe-sim: simulated client error',
      },
    ],
  },
  probe: {
    ...plain,
    name: 'probe',
    description:
      'connection probe: nil ids, empty strings, close right after opened; expects opened and closed',
    probe: true,
    actions: () => [],
  },
  'bad-signature': {
    ...plain,
    name: 'bad-signature',
    description: 'sign the upgrade with a wrong secret; expects HTTP 401 and no WebSocket',
    badSignature: true,
    actions: () => [],
  },
  'server-pause': {
    ...plain,
    name: 'server-pause',
    description: 'basic, and the server must pause the stream at least once (answered with paused/resumed)',
    requiresServerPause: true,
    actions: () => [],
  },
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof catalogue;
export const scenarioNames = Object.keys(catalogue) as ScenarioName[];

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(catalogue, name);
}

export function scenario(name: ScenarioName): Scenario {
  return catalogue[name] as Scenario;
}

/** Actions land on 200 ms boundaries so that they fall between frames of the default size. */
function frameAligned(ms: number): number {
  return Math.max(200, Math.round(ms / 200) * 200);
}
