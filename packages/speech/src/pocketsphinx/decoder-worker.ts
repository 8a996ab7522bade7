import {
  phoneFrontEndKernel,
  type PhoneFrontEndKernel,
  type PhoneFrontEndStream,
} from '../frontend/phone-front-end-kernel.js';

/**
 * Body of a decoder worker thread. It is started from its source text (`new Worker(code, { eval: true })`) so the
 * same code runs from TypeScript sources under the test runner and from dist/ at runtime; therefore it must be
 * self-contained: no imports, everything it needs comes from `workerData` (DecoderInit), `require`, and the phone
 * front end's kernel, whose source is passed in as an argument (`makeFrontEnd`).
 *
 * Binding: Debian's pocketsphinx 5prealpha C API through koffi (cmd_ln_parse_r + ps_init, ps_process_raw, lattice
 * posteriors through ps_seg_prob). One decoder per thread; requests are handled strictly in order.
 */
export function decoderWorkerMain(makeFrontEnd: () => PhoneFrontEndKernel): void {
  /* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
  const { parentPort, workerData } = require('node:worker_threads');
  const init = workerData as {
    koffiPath: string;
    args: string[];
    niceness?: number;
    domainLm?: { path: string; weight: number } | null;
    extraWords?: [string, string][];
    phoneFrontEnd?: { bandNoiseRms: number; seed: number } | null;
    initLock: SharedArrayBuffer;
  };
  const frontEndKernel = init.phoneFrontEnd ? makeFrontEnd() : null;
  const post = (m: unknown) => parentPort.postMessage(m);
  // Linux nice is per thread: setPriority() without a pid renices only this decoder thread, so the event loop that
  // answers ping/open keeps its priority whatever the decoders do
  if (init.niceness) {
    try {
      require('node:os').setPriority(init.niceness);
    } catch {
      // not permitted (some containers): decode at normal priority
    }
  }
  let lib: any;
  let decoder: unknown;
  let logmath: unknown;
  /** the decoder's cmn_t: its mean is set before every utterance from the stream's own estimate */
  let cmn: unknown;
  let initialCmn: number[] = [];
  const started = Date.now();
  try {
    const koffi = require(init.koffiPath);
    const sb = koffi.load('libsphinxbase.so.3');
    const ps = koffi.load('libpocketsphinx.so.3');
    lib = {
      ps_args: ps.func('void* ps_args()'),
      cmd_ln_parse_r: sb.func('void* cmd_ln_parse_r(void*, void*, int, const char**, int)'),
      ps_init: ps.func('void* ps_init(void*)'),
      ps_start_stream: ps.func('int ps_start_stream(void*)'),
      ps_start_utt: ps.func('int ps_start_utt(void*)'),
      ps_process_raw: ps.func('int ps_process_raw(void*, const int16_t*, size_t, int, int)'),
      ps_end_utt: ps.func('int ps_end_utt(void*)'),
      ps_get_hyp: ps.func('const char* ps_get_hyp(void*, _Out_ int32_t*)'),
      ps_get_n_frames: ps.func('int ps_get_n_frames(void*)'),
      ps_seg_iter: ps.func('void* ps_seg_iter(void*)'),
      ps_seg_next: ps.func('void* ps_seg_next(void*)'),
      ps_seg_free: ps.func('void ps_seg_free(void*)'),
      ps_seg_word: ps.func('const char* ps_seg_word(void*)'),
      ps_seg_frames: ps.func('void ps_seg_frames(void*, _Out_ int*, _Out_ int*)'),
      ps_seg_prob: ps.func('int32_t ps_seg_prob(void*, _Out_ int32_t*, _Out_ int32_t*, _Out_ int32_t*)'),
      ps_get_logmath: ps.func('void* ps_get_logmath(void*)'),
      logmath_exp: sb.func('double logmath_exp(void*, int)'),
      cmn_live_get: sb.func('void cmn_live_get(void*, _Out_ float*)'),
      cmn_live_set: sb.func('void cmn_live_set(void*, const float*)'),
      ps_get_config: ps.func('void* ps_get_config(void*)'),
      ps_get_search: ps.func('const char* ps_get_search(void*)'),
      ps_get_lm: ps.func('void* ps_get_lm(void*, const char*)'),
      ps_set_lm: ps.func('int ps_set_lm(void*, const char*, void*)'),
      ps_set_search: ps.func('int ps_set_search(void*, const char*)'),
      ps_add_word: ps.func('int ps_add_word(void*, const char*, const char*, int)'),
      ngram_model_read: sb.func('void* ngram_model_read(void*, const char*, int, void*)'),
      ngram_model_set_init: sb.func(
        'void* ngram_model_set_init(void*, void**, const char**, const float*, int)',
      ),
    };
    // with a domain model the worker reads the generic model itself: a decoder built with -lm would keep a second,
    // unused search over the whole vocabulary (~95 MB and ~0.5 s CPU per decoder)
    const lmAt = init.domainLm ? init.args.indexOf('-lm') : -1;
    const genericLm = lmAt >= 0 ? init.args[lmAt + 1]! : null;
    const args = lmAt >= 0 ? init.args.filter((_, i) => i !== lmAt && i !== lmAt + 1) : init.args;
    const config = lib.cmd_ln_parse_r(null, lib.ps_args(), args.length, args, 1);
    if (!config) throw new Error(`pocketsphinx rejected its arguments: ${init.args.join(' ')}`);
    decoder = whileHoldingInitLock(() => lib.ps_init(config));
    if (!decoder) throw new Error('ps_init failed (model, dictionary or -mllr file unreadable)');
    logmath = lib.ps_get_logmath(decoder);
    cmn = liveCmnOf(koffi, decoder);
    initialCmn = readCmn();
    // new words into the dictionary first, so the domain model's search (built by ps_set_lm) includes them;
    // without a domain model the last word rebuilds the generic search
    const extra = init.extraWords ?? [];
    extra.forEach(([word, phones], i) => {
      const update = !init.domainLm && i === extra.length - 1 ? 1 : 0;
      if (lib.ps_add_word(decoder, word, phones, update) < 0)
        throw new Error(`pocketsphinx rejected the pronunciation of "${word}": ${phones}`);
    });
    if (init.domainLm) interpolateDomainLm(init.domainLm, genericLm);
  } catch (err) {
    post({ type: 'init-failed', message: (err as Error).message });
    return;
  }

  /**
   * runs `start` with the process's decoder-start lock (DecoderInit.initLock) held; the lock holds this thread's id,
   * so the pool can free it if the thread dies inside
   */
  function whileHoldingInitLock<T>(start: () => T): T {
    const lock = new Int32Array(init.initLock);
    const self = require('node:worker_threads').threadId as number;
    for (;;) {
      const holder = Atomics.compareExchange(lock, 0, 0, self);
      if (holder === 0) break;
      Atomics.wait(lock, 0, holder);
    }
    try {
      return start();
    } finally {
      Atomics.store(lock, 0, 0);
      Atomics.notify(lock, 0, 1);
    }
  }

  /**
   * cmn_t* of the decoder: ps_decoder_t → acmod (offset 16) → feat_t (32) → cmn_struct (88), the struct layouts of
   * the 5prealpha headers (not public API), checked by the vector length (13 cepstra) before use.
   */
  function liveCmnOf(koffi: any, ps: unknown): unknown {
    const pointerAt = (p: unknown, offset: number) => koffi.decode(p, offset, 'void*') as unknown;
    const acmod = pointerAt(ps, 16);
    const feat = acmod ? pointerAt(acmod, 32) : null;
    const struct = feat ? pointerAt(feat, 88) : null;
    const veclen = struct ? (koffi.decode(struct, 28, 'int32_t') as number) : 0;
    if (veclen !== 13) throw new Error('unsupported pocketsphinx build: CMN state not found');
    return struct;
  }

  /** The generic model and the domain model, linearly interpolated (ngram_model_set), as the decoder's search. */
  function interpolateDomainLm(domain: { path: string; weight: number }, genericPath: string | null): void {
    const NGRAM_AUTO = 0;
    const NGRAM_ARPA = 1;
    const generic = genericPath
      ? lib.ngram_model_read(lib.ps_get_config(decoder), genericPath, NGRAM_AUTO, logmath)
      : lib.ps_get_lm(decoder, lib.ps_get_search(decoder));
    const model = lib.ngram_model_read(lib.ps_get_config(decoder), domain.path, NGRAM_ARPA, logmath);
    if (!generic || !model) throw new Error(`domain language model ${domain.path} unreadable`);
    const weights = Float32Array.from([1 - domain.weight, domain.weight]);
    const set = lib.ngram_model_set_init(
      lib.ps_get_config(decoder),
      [generic, model],
      ['generic', 'domain'],
      weights,
      2,
    );
    if (
      !set ||
      lib.ps_set_lm(decoder, 'interpolated', set) < 0 ||
      lib.ps_set_search(decoder, 'interpolated') < 0
    )
      throw new Error('interpolating the domain language model failed');
  }

  function readCmn(): number[] {
    const mean = new Float32Array(13);
    lib.cmn_live_get(cmn, mean);
    return Array.from(mean);
  }

  let inUtterance = false;
  /** this utterance's phone front end (new per utterance: the band fill restarts, same audio → same features) */
  let frontEnd: PhoneFrontEndStream | null = null;
  /**
   * The search gets the utterance's audio in blocks of SEARCH_BLOCK samples counted from its start, whatever the
   * requests' sizes: pocketsphinx updates its live CMN once per ps_process_raw call, so feeding whatever had queued
   * up (more under load) gave the same audio other scores: other word confidences and timings, at times other words.
   * The tail shorter than a block waits for the next request, or goes in at the end of the utterance.
   */
  const SEARCH_BLOCK = 320; // 20 ms at the decoder's 16 kHz
  let heldBack: Int16Array = new Int16Array(0);
  const processRaw = (pcm: Int16Array) => {
    if (pcm.length > 0 && lib.ps_process_raw(decoder, pcm, pcm.length, 0, 0) < 0) {
      throw new Error('ps_process_raw failed');
    }
  };
  const search = (pcm: Int16Array, endOfUtterance = false) => {
    let audio = pcm;
    if (heldBack.length > 0) {
      audio = new Int16Array(heldBack.length + pcm.length);
      audio.set(heldBack);
      audio.set(pcm, heldBack.length);
    }
    const whole = audio.length - (audio.length % SEARCH_BLOCK);
    for (let at = 0; at < whole; at += SEARCH_BLOCK) processRaw(audio.subarray(at, at + SEARCH_BLOCK));
    if (endOfUtterance) {
      processRaw(audio.subarray(whole));
      heldBack = new Int16Array(0);
    } else {
      heldBack = audio.slice(whole);
    }
  };

  const hypothesis = (final: boolean) => {
    const score = [0];
    const text = lib.ps_get_hyp(decoder, score) as string | null;
    const segments: { word: string; startFrame: number; endFrame: number; posterior: number }[] = [];
    for (let seg = lib.ps_seg_iter(decoder); seg; seg = lib.ps_seg_next(seg)) {
      const sf = [0];
      const ef = [0];
      lib.ps_seg_frames(seg, sf, ef);
      let posterior = 0;
      if (final) {
        const a = [0];
        const l = [0];
        const b = [0];
        posterior = lib.logmath_exp(logmath, lib.ps_seg_prob(seg, a, l, b));
      }
      segments.push({ word: lib.ps_seg_word(seg), startFrame: sf[0]!, endFrame: ef[0]!, posterior });
    }
    return { text: text ?? '', segments, frames: lib.ps_get_n_frames(decoder) };
  };

  parentPort.on('message', (req: any) => {
    try {
      switch (req.type) {
        case 'start':
          if (inUtterance) lib.ps_end_utt(decoder);
          // a new stream per utterance: segment frames count from the utterance start, not the decoder's life
          lib.ps_start_stream(decoder);
          // CMN state belongs to the stream (the call's channel), not to this pooled decoder: without this the
          // result would depend on whatever the decoder heard before, possibly another call
          lib.cmn_live_set(cmn, Float32Array.from((req.cmnMean as number[] | null) ?? initialCmn));
          if (lib.ps_start_utt(decoder) < 0) throw new Error('ps_start_utt failed');
          heldBack = new Int16Array(0);
          frontEnd =
            frontEndKernel && init.phoneFrontEnd
              ? new frontEndKernel.PhoneFrontEnd(init.phoneFrontEnd)
              : null;
          inUtterance = true;
          post({ id: req.id, type: 'ok' });
          break;
        case 'process': {
          if (!inUtterance) throw new Error('process outside an utterance');
          const pcm = req.pcm as Int16Array;
          search(frontEnd ? frontEnd.process(pcm) : pcm);
          post({ id: req.id, type: 'hypothesis', hypothesis: req.wantHypothesis ? hypothesis(false) : null });
          break;
        }
        case 'end':
          if (!inUtterance) throw new Error('end outside an utterance');
          inUtterance = false;
          search(frontEnd ? frontEnd.finish() : new Int16Array(0), true);
          frontEnd = null;
          if (lib.ps_end_utt(decoder) < 0) throw new Error('ps_end_utt failed');
          // ps_end_utt updated the live CMN estimate with this utterance: it goes back to the stream
          post({ id: req.id, type: 'hypothesis', hypothesis: { ...hypothesis(true), cmnMean: readCmn() } });
          break;
        case 'fault':
          if (req.kind === 'exit') process.exit(70);
          for (;;) {
            /* hang: the watchdog must notice */
          }
        default:
          throw new Error(`unknown request ${String(req.type)}`);
      }
    } catch (err) {
      post({ id: req.id, type: 'error', message: (err as Error).message });
    }
  });
  post({ type: 'ready', initMs: Date.now() - started });
}

/** Source text for `new Worker(..., { eval: true })`. */
export const DECODER_WORKER_SOURCE = `(${decoderWorkerMain.toString()})(${phoneFrontEndKernel.toString()});`;
