"use strict";
// Hall display (1080p, readable from 10 m): the latest call large, the last 8 calls, people waiting per
// matter, a clock and the notice. Each call is announced after a chime through speech synthesis, in the
// hall's languages (Mandarin first); announcements queue and never overlap; a recall repeats it.
// With ?window=N it is that window's display: its current number and state.
(() => {
  const { t, el, $ } = OW;
  const windowNumber = Number(new URLSearchParams(location.search).get("window")) || null;
  let hall = null, banner = "", bannerWindow = null;
  $("#lang").append(OW.langButton());
  setInterval(() => { $("#clock").textContent = new Date().toLocaleTimeString(); }, 1000);

  // The announcement queue: entries are played one at a time, never overlapping.
  const announcer = { queued: [], played: [], busy: false };
  window.OWDisplay = announcer;
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
  function speak(text, lang) {
    return new Promise((resolve) => {
      // Browsers without voices never end an utterance: a generous timeout keeps the queue moving.
      const timer = setTimeout(resolve, 8000);
      if (!("speechSynthesis" in window)) { clearTimeout(timer); return resolve(); }
      const u = new SpeechSynthesisUtterance(text);
      u.lang = lang;
      u.onend = u.onerror = () => { clearTimeout(timer); resolve(); };
      speechSynthesis.speak(u);
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
      for (const part of entry.parts) await speak(part.text, part.lang);
    }
    announcer.busy = false;
  }
  function announce(ticket, window, kind) {
    // Mandarin first, then the hall's other languages, from the templates in its config.
    const langs = (OW_texts && OW_texts.languages) || [];
    const parts = langs.map((l) => ({ text: OW.callText(ticket, window, true, l.code), lang: OW.voiceLang(l.code) }));
    announcer.queued.push({ ticket, window, kind, at: Date.now(), text: OW.callText(ticket, window), parts });
    drain();
  }
  // A temporary window opened: "临时窗口 7 已开放，办理 不动产登记", in every language.
  function openedText(window, matters, code) {
    const langs = (OW_texts && OW_texts.languages) || [];
    const l = langs.find((x) => x.code === code) || langs[0];
    const names = matters.map((key) => {
      const m = hall && hall.matters.find((x) => x.key === key);
      return m ? (code.startsWith("zh") ? m.name_zh : m.name_en) : key;
    }).join(code.startsWith("zh") ? "、" : ", ");
    const tpl = (l && l.window_opened) || "{window}: {matters}";
    return tpl.replaceAll("{window}", window).replaceAll("{matters}", names);
  }
  function announceOpened(e) {
    const langs = (OW_texts && OW_texts.languages) || [];
    const parts = langs.map((l) => ({ text: openedText(e.window, e.matters, l.code), lang: OW.voiceLang(l.code) }));
    const text = openedText(e.window, e.matters, OW.lang);
    announcer.queued.push({ window: e.window, kind: e.kind, at: Date.now(), text, parts });
    banner = text; bannerWindow = e.window;
    drain();
  }

  function statusText(w) { return t(w.status === "open" ? "free" : w.status); }
  function render() {
    if (!hall) return;
    $("#hall-name").textContent = hall.name;
    const notice = [banner, hall.notice].filter(Boolean).join("　");
    $("#notice").hidden = !notice;
    $("#notice").textContent = notice;
    if (windowNumber) {
      const w = hall.windows.find((x) => x.number === windowNumber);
      $("#screen").replaceChildren(el("div", { class: "window-display" },
        el("h2", {}, w ? `${w.number} · ${w.name}` : `${t("window")} ${windowNumber}`),
        el("div", { class: "number", id: "window-current" }, (w && w.current) || "—"),
        el("div", { id: "window-status" }, w ? statusText(w) : "")));
      return;
    }
    const calls = hall.recent_calls.slice(0, 8);
    const top = calls[0];
    $("#screen").replaceChildren(el("div", { class: "display" },
      el("section", {},
        el("div", { class: "latest" }, el("div", {}, t("latest")),
          el("div", { class: "call", id: "latest-call" }, top ? OW.callText(top.ticket, top.window) : t("nothing"))),
        el("h2", {}, t("calls")),
        el("ul", { class: "calls", id: "calls" }, ...calls.map((c) => el("li", { "data-ticket": c.ticket }, `${c.ticket} → ${c.window}`)))),
      el("section", {},
        el("h2", {}, t("waiting")),
        el("ul", { class: "waiting", id: "waiting" }, ...hall.matters.map((m) => el("li", {}, `${OW.matterName(m)}: ${m.waiting}`))))));
  }

  OW.on("state", (h) => { hall = h; render(); });
  OW.on("event", (e) => {
    if (e.kind === "ticket_called" || e.kind === "ticket_recalled") {
      if (!windowNumber || e.window === windowNumber) announce(e.ticket, e.window, e.kind);
      // The view already has the call (common.js folds every event); the page redraws with it.
    } else if (e.kind === "window_opened" && e.window_kind === "standby" && !windowNumber) {
      announceOpened(e);
      render();
    } else if (e.kind === "window_closed" && e.window === bannerWindow) {
      banner = ""; bannerWindow = null; render();
    }
  });
  let OW_texts = null;
  OW.loadTexts().then((x) => { OW_texts = x; OW.connect(); });
})();
