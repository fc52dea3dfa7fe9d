#!/bin/sh
# Regenerates the spoken clips in audio/ (one per speakable answer character,
# plus "capital") with Debian's espeak-ng. Run once by a maintainer; the server
# and the studio only mix the committed clips, no speech engine at run time.
# Needs: espeak-ng (apt-get install espeak-ng), node with the dev dependencies.
set -eu
cd "$(dirname "$0")/.."
command -v espeak-ng >/dev/null || { echo "record-audio.sh: espeak-ng is not installed (apt-get install espeak-ng)" >&2; exit 1; }
raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
# American English, a little slower than the default 175 words a minute so each
# letter name is clear on its own.
say() { espeak-ng -v en-us -s 140 -m -w "$raw/$1.wav" "$2"; }
for d in 0 1 2 3 4 5 6 7 8 9; do say "$d" "$d"; done
# Letters spoken as their names ("a" as "ay", not the article).
for l in a b c d e f g h i j k l m n o p q r s t u v w x y z; do
  say "$l" "<speak><say-as interpret-as=\"characters\">$l</say-as></speak>"
done
say capital "capital"
mkdir -p audio
node --import tsx scripts/prepare-audio-clips.ts "$raw" audio
echo "record-audio.sh: wrote $(ls audio/*.wav | wc -l) clips, $(du -ck audio/*.wav | tail -1 | cut -f1) kB" >&2
