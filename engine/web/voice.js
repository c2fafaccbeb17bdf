"use strict";
// The voice of the displays: each announcement queued and played one at a time (never overlapping),
// after a chime, in each of the hall's languages (Mandarin first). A language the browser has a
// speech-synthesis voice for is spoken; one it has none for (headless Chromium and many Linux boxes have no
// Chinese voice) is played from recorded clips in sequence: 请 · E · 0 · 0 · 1 · 号 · 到 · 九 · 号窗口 · 办理.
// The clips come from `/voice/<set>/<clip>.wav`: the set shipped in the binary, or the hall's own recordings
// (`[terminals] voice_clips`). `clipsFor` is the sequence; `onewindow-display` plays the same one.
const OWVoice = (() => {
  const announcer = { queued: [], played: [], busy: false };
  window.OWDisplay = announcer; // for tests: what was announced, and how
  const RECALL = { zh: "重呼", en: "Recall" };

  // 12 → 十二, 20 → 二十, 105 → 一百零五; digit by digit from 1,000 on.
  function zhNumber(n) {
    if (n < 10) return [String(n)];
    if (n < 100) {
      const tens = Math.floor(n / 10), units = n % 10;
      return [...(tens > 1 ? [String(tens)] : []), "shi", ...(units ? [String(units)] : [])];
    }
    if (n < 1000) {
      const hundreds = Math.floor(n / 100), rest = n % 100;
      if (!rest) return [String(hundreds), "bai"];
      const tail = rest < 10 ? ["0", String(rest)] : rest < 20 ? ["1", ...zhNumber(rest)] : zhNumber(rest);
      return [String(hundreds), "bai", ...tail];
    }
    return [...String(n)];
  }
  // 12 → twelve, 47 → forty seven; digit by digit from 100 on.
  function enNumber(n) {
    if (n < 20) return [String(n)];
    if (n < 100) return [String(n - (n % 10)), ...(n % 10 ? [String(n % 10)] : [])];
    return [...String(n)];
  }
  // Ticket numbers are read character by character: E · 0 · 0 · 1.
  const spell = (ticket) => [...String(ticket).toUpperCase()].filter((c) => /[A-Z0-9]/.test(c));

  /** The clips of a call in one clip set (`zh` or `en`), recall or not; null for a language without clips. */
  function clipsFor(ticket, window, code, recall = false) {
    const set = code.startsWith("zh") ? "zh" : code.startsWith("en") ? "en" : null;
    if (!set) return null;
    const words = set === "zh"
      ? [...(recall ? ["chonghu"] : []), "qing", ...spell(ticket), "hao", "dao", ...zhNumber(window), "haochuangkou", "banli"]
      : [...(recall ? ["recall"] : []), "ticket", ...spell(ticket), "please_go_to_window", ...enNumber(window)];
    return words.map((w) => `${set}/${w}`);
  }

  function chime() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      [880, 660].forEach((f, i) => {
        const o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = f; o.connect(g); g.connect(ctx.destination);
        g.gain.setValueAtTime(0.2, ctx.currentTime + i * 0.35);
        o.start(ctx.currentTime + i * 0.35); o.stop(ctx.currentTime + i * 0.35 + 0.3);
      });
    } catch { /* no audio device: the text still shows */ }
  }
  const hasVoice = (lang) => "speechSynthesis" in window
    && speechSynthesis.getVoices().some((v) => v.lang.toLowerCase().startsWith(lang.toLowerCase().slice(0, 2)));
  function speak(text, lang) {
    return new Promise((resolve) => {
      // Browsers without voices never end an utterance: a generous timeout keeps the queue moving.
      const timer = setTimeout(resolve, 8000);
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang;
      u.onend = u.onerror = () => { clearTimeout(timer); resolve(); };
      speechSynthesis.speak(u);
    });
  }
  // One clip after the other; a clip that cannot play (no sound card, missing file) is skipped at once.
  function play(clip, log) {
    log.push(clip);
    return new Promise((resolve) => {
      const audio = new Audio(`/voice/${clip}.wav`);
      const timer = setTimeout(resolve, 3000);
      const done = () => { clearTimeout(timer); resolve(); };
      audio.onended = audio.onerror = done;
      audio.play().catch(done);
    });
  }
  async function drain() {
    if (announcer.busy) return;
    announcer.busy = true;
    while (announcer.queued.length) {
      const entry = announcer.queued.shift();
      entry.started = Date.now();
      announcer.played.push(entry);
      chime();
      await new Promise((r) => setTimeout(r, 800));
      for (const part of entry.parts) {
        if (hasVoice(part.lang) || !part.clips) { part.spoken = "speech"; if ("speechSynthesis" in window) await speak(part.text, part.lang); }
        else { part.spoken = "clips"; part.played = []; for (const c of part.clips) await play(c, part.played); }
      }
    }
    announcer.busy = false;
  }

  /** Queues an announcement: `entry` (what it is about, with the `text` shown), and in each of the hall's
   *  languages what is said (`sayIn(code)`) and, where there are clips, their sequence (`clipsIn(code)`). */
  function announce(entry, sayIn, clipsIn = () => null) {
    const parts = OW.texts().languages.map((l) => ({ code: l.code, text: sayIn(l.code), lang: OW.voiceLang(l.code), clips: clipsIn(l.code) }));
    announcer.queued.push({ ...entry, at: Date.now(), parts });
    drain();
  }
  /** Queues a call or recall. */
  function announceCall(ticket, window, kind) {
    const recall = kind === "ticket_recalled";
    const prefix = (code) => (recall ? `${RECALL[code.slice(0, 2)] || RECALL.en} ` : "");
    announce({ ticket, window, kind, text: OW.callText(ticket, window) },
      (code) => prefix(code) + OW.callText(ticket, window, true, code), (code) => clipsFor(ticket, window, code, recall));
  }

  return { announce, announceCall, clipsFor };
})();
