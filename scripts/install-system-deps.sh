#!/usr/bin/env bash
# Debian 12 packages hookscribe needs.
#   bash scripts/install-system-deps.sh          what the server needs at run time (the embedded speech engine)
#   bash scripts/install-system-deps.sh --speaker-adaptation   also sphinxtrain for HOOKSCRIBE_STT_SPEAKER_ADAPTATION
#   bash scripts/install-system-deps.sh --test   also what the tests and benchmarks use: speech synthesis for test
#                                                audio, independent recordings, and the real services (Redis,
#                                                PostgreSQL, Chromium) that the tests start themselves
# Prints one line per step; apt's own output goes to a log that is shown only if apt fails.
set -euo pipefail

runtime=(
  libpocketsphinx3 pocketsphinx-en-us # embedded offline speech engine
  flite                               # t2p: pronunciations of HOOKSCRIBE_STT_VOCABULARY words the dictionary lacks
)
# HOOKSCRIBE_STT_SPEAKER_ADAPTATION=true (off by default) also needs these at run time: bw, mllr_solve, sphinx_fe,
# pocketsphinx_mdef_convert. Installed with --test (its tests use them) or with --speaker-adaptation.
speaker_adaptation=(sphinxtrain sphinxbase-utils pocketsphinx)
test_only=(
  pocketsphinx-testdata  # independent recordings for the STT benchmark
  espeak-ng sox          # synthesised test speech (with flite), demo calls
  asterisk-moh-opsound-wav # real music on hold: non-speech tests and bench:stt
  asterisk-core-sounds-en-wav # real 8 kHz telephone prompts (one voice): speaker warp test, bench:stt
  asterisk-core-sounds-en # the prompts' transcripts (/usr/share/doc): bench:stt sets asterisk-dev, asterisk-heldout
  redis-server postgresql # Redis Streams bus and PostgreSQL store tests (started by the tests, never as services)
  chromium               # web UI end-to-end tests (playwright-core)
)

packages=("${runtime[@]}")
case "${1:-}" in
  --test) packages+=("${speaker_adaptation[@]}" "${test_only[@]}") ;;
  --speaker-adaptation) packages+=("${speaker_adaptation[@]}") ;;
  '') ;;
  *)
    echo "usage: $0 [--test | --speaker-adaptation]" >&2
    exit 2
    ;;
esac

missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages: all ${#packages[@]} present"
else
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  log=$(mktemp -t hookscribe-apt.XXXXXX.log)
  policy=/usr/sbin/policy-rc.d
  cleanup() {
    rm -f "$log"
    if [ -n "${own_policy:-}" ]; then $SUDO rm -f "$policy"; fi
  }
  trap cleanup EXIT
  # Redis and PostgreSQL are test tools here: keep apt from starting (and enabling) them as system services.
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    own_policy=1
  fi
  echo "system packages: installing ${missing[*]}"
  if ! { $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      -o Dpkg::Use-Pty=0 "${missing[@]}"; } >"$log" 2>&1; then
    echo "system packages: apt-get failed; its output:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
  echo "system packages: done"
fi

# npm 10 (bundled with some Node 20 builds) ignores package.json "allowScripts" and would run onnxruntime-node's
# install step, which downloads CUDA providers from outside the npm registry. npm 11 honours the denial.
npm_major=$(npm --version 2>/dev/null | cut -d. -f1 || echo 0)
if [ "${npm_major:-0}" -lt 11 ]; then
  echo "note: npm $(npm --version 2>/dev/null) runs every install script; use npm 11 (npm install -g npm@11)" \
    "or run npm ci with ONNXRUNTIME_NODE_INSTALL=skip" >&2
fi
