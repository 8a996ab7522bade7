#!/usr/bin/env bash
# Debian 12 packages hookscribe needs: the embedded speech engine (pocketsphinx + US English model), speech
# synthesis for test audio, and the real services the integration tests start themselves.
set -euo pipefail
packages=(
  libpocketsphinx3 pocketsphinx-en-us  # embedded offline speech engine (runtime)
  pocketsphinx-testdata                # independent recordings for the STT benchmark
  espeak-ng flite sox                  # synthesised test speech, demo calls
  asterisk-moh-opsound-wav             # real music on hold: non-speech tests and bench:stt
  redis-server postgresql              # Redis Streams bus and PostgreSQL store tests
  chromium                             # web UI end-to-end tests (playwright-core)
)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
