#!/usr/bin/env bash
# Generates the default voice clips shipped in the binary (engine/web/voice/{zh,en}/*.wav) with Debian's
# espeak-ng (apt install espeak-ng): the words of a call, digits, numbers and letters, one WAV file each.
# A hall replaces them with its own recordings, same names, in the folder `[terminals] voice_clips` names
# (docs/terminals.md). The clips are committed: run this only to change them.
set -euo pipefail
cd "$(dirname "$0")/../engine/web/voice"
command -v espeak-ng > /dev/null || { echo "espeak-ng is missing: apt install espeak-ng" >&2; exit 1; }
say() { # set name text voice
  espeak-ng -v "$3" -s 150 -a 160 -w "$1/$2.wav" "$4"
}
mkdir -p zh en
zh_digits=(零 一 二 三 四 五 六 七 八 九)
for d in 0 1 2 3 4 5 6 7 8 9; do say zh "$d" cmn "${zh_digits[$d]}"; done
say zh shi cmn 十; say zh bai cmn 百
say zh qing cmn 请; say zh hao cmn 号; say zh dao cmn 到; say zh haochuangkou cmn 号窗口; say zh banli cmn 办理
say zh chonghu cmn 重呼
en_words=(zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen)
for n in $(seq 0 19); do say en "$n" en-us "${en_words[$n]}"; done
for n in 20:twenty 30:thirty 40:forty 50:fifty 60:sixty 70:seventy 80:eighty 90:ninety; do say en "${n%%:*}" en-us "${n#*:}"; done
say en ticket en-us "Ticket"; say en please_go_to_window en-us "please go to window"; say en recall en-us "Recall"
for l in A B C D E F G H I J K L M N O P Q R S T U V W X Y Z; do
  say zh "$l" en-us "$l"   # Chinese halls read the prefix letter the English way
  say en "$l" en-us "$l"
done
# Silence trimmed and 22,050 Hz halved to 11,025 Hz (speech stays clear; the set stays small in the binary).
python3 - <<'PY'
import array, glob, wave
for path in glob.glob("*/*.wav"):
    with wave.open(path) as w:
        rate, frames = w.getframerate(), array.array("h", w.readframes(w.getnframes()))
    loud = [i for i, v in enumerate(frames) if abs(v) > 400]
    if loud:
        frames = frames[max(0, loud[0] - 200):loud[-1] + 400]
    half = array.array("h", ((frames[i] + frames[i + 1]) // 2 for i in range(0, len(frames) - 1, 2)))
    with wave.open(path, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate // 2); w.writeframes(half.tobytes())
PY
du -sh .
