#!/bin/sh
# Regenerates the bundled demo calls (HOOKSCRIBE_DEMO=1): three short synthetic calls, stereo 8 kHz G.711 µ-law WAV,
# customer on channel 0 (flite voice "slt"), agent on channel 1 (flite voice "rms"), turns alternating with silence
# on the other side. Deterministic (no dither). Needs: flite, sox.   Usage: sh generate.sh [outdir]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
GAP=0.3 # seconds of silence between turns

# say VOICE TEXT FILE: synthesise, resample to 8 kHz mono 16-bit
say() {
  flite -voice "$1" --setf duration_stretch=0.88 -t "$2" -o "$work/raw.wav"
  sox -D "$work/raw.wav" -r 8000 -c 1 -b 16 "$3" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0.05 0.05 norm -3
}

# call NAME < script: lines "C: text" (customer) or "A: text" (agent)
call() {
  name=$1
  n=0
  sox -D -n -r 8000 -c 1 -b 16 "$work/lead.wav" trim 0 0.4 # the line opens before anyone speaks
  left="$work/lead.wav" right="$work/lead.wav"
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    n=$((n + 1))
    who=${line%%:*}
    text=${line#*: }
    say "$([ "$who" = C ] && echo slt || echo rms)" "$text" "$work/t$n.wav"
    sox -D "$work/t$n.wav" "$work/s$n.wav" vol 0 # same length, silent
    sox -D -n -r 8000 -c 1 -b 16 "$work/g$n.wav" trim 0 $GAP
    if [ "$who" = C ]; then
      left="$left $work/t$n.wav $work/g$n.wav" right="$right $work/s$n.wav $work/g$n.wav"
    else
      left="$left $work/s$n.wav $work/g$n.wav" right="$right $work/t$n.wav $work/g$n.wav"
    fi
  done
  # shellcheck disable=SC2086
  sox -D $left "$work/left.wav"
  # shellcheck disable=SC2086
  sox -D $right "$work/right.wav"
  sox -D -M "$work/left.wav" "$work/right.wav" -r 8000 -e u-law -b 8 -c 2 "$out/$name.wav"
  echo "$out/$name.wav: $(soxi -D "$out/$name.wav") s"
}

call billing-dispute <<'TXT'
A: Thanks for calling. How can I help?
C: Hi. I was charged twice on my last bill and I want a refund.
A: I am sorry about that. Can you confirm the amount of the charge?
C: Forty nine dollars, twice on the same day.
A: I see the duplicate charge. I will refund it to your card now.
C: How long will that take?
A: The refund takes three to five business days.
TXT

call cancellation-retention <<'TXT'
A: Good morning, this is support.
C: I would like to cancel my subscription please.
A: I can help with that. May I ask why you want to cancel?
C: The price went up and it is too expensive now.
A: I can offer you fifty percent off for the next six months.
C: Okay, that sounds fair. I will stay then.
A: Wonderful. The discount starts on your next bill.
TXT

call address-change <<'TXT'
A: Hello, what can I do for you?
C: I moved last week and need to change my address.
A: Sure. What is the new street address?
C: It is twenty two Oak Street, apartment four.
A: Thank you. I have updated your address on the account.
C: Will my next bill go to the new address?
A: Yes, all mail will go to Oak Street from now on.
C: Perfect, thanks.
TXT
