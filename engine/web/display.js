"use strict";
// Hall display (1920×1080, readable from 10 m): the latest call across the whole width (at least 120 px),
// the last 8 calls in rows a tenth of the screen high (64 px type), people waiting per matter, a clock and
// a scrolling notice. A new call flashes; a recall flashes again and says 重呼. No language button: the
// hall's languages take turns on their own. Every call is announced (voice.js).
// With ?window=N it is that window's display: its number, the number being served, the clerk's 工号 and
// the state; silent unless the hall sets `window_display_voice`.
(() => {
  const { t, el, $ } = OW;
  const windowNumber = Number(new URLSearchParams(location.search).get("window")) || null;
  const FLASH_MS = 6000;
  // `opened`: the temporary window just opened, shown in the notice line (in the language on screen).
  let hall = null, opened = null, flashTimer = null, turn = 0;
  $("#screen").hidden = !!windowNumber;
  $("#window-screen").hidden = !windowNumber;
  const tick = () => { $("#clock").textContent = new Date().toLocaleTimeString(OW.locale(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }); };
  tick();
  setInterval(tick, 1000);

  // The largest type (from 240 px down to 120 px) that keeps the text on one line; below that it wraps.
  function fit(node, max = 240, min = 120) {
    node.style.whiteSpace = "nowrap";
    let size = max;
    node.style.fontSize = `${size}px`;
    while (node.scrollWidth > node.clientWidth && size > min) { size -= 8; node.style.fontSize = `${size}px`; }
    if (node.scrollWidth > node.clientWidth) node.style.whiteSpace = "normal";
  }

  // A temporary window opened: "临时窗口 7 已开放，办理 不动产登记", in every language.
  function openedText(window, matters, code) {
    const langs = OW.texts().languages;
    const l = langs.find((x) => x.code === code) || langs[0];
    const names = matters.map((key) => {
      const m = hall && hall.matters.find((x) => x.key === key);
      return m ? (code.startsWith("zh") ? m.name_zh : m.name_en) : key;
    }).join(code.startsWith("zh") ? "、" : ", ");
    const tpl = (l && l.window_opened) || "{window}: {matters}";
    return tpl.replaceAll("{window}", window).replaceAll("{matters}", names);
  }

  function flash(kind) {
    const latest = $("#latest");
    latest.classList.remove("flash");
    void latest.offsetWidth; // restart the animation on a second call within the flash
    latest.classList.add("flash");
    $("#recall-badge").hidden = kind !== "ticket_recalled";
    $("#recall-badge").textContent = t("recall");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => { latest.classList.remove("flash"); $("#recall-badge").hidden = true; }, FLASH_MS);
  }

  function renderWindow() {
    const w = hall.windows.find((x) => x.number === windowNumber);
    $("#window-number").textContent = OW.windowName(windowNumber);
    $("#window-current").textContent = (w && w.current) || "—";
    $("#window-clerk").textContent = w && w.clerk ? `${t("clerk")} ${w.clerk}` : "";
    $("#window-status").textContent = w ? t(w.status === "open" ? (w.clerk ? "free" : "unstaffed") : w.status) : "";
  }

  function render() {
    if (!hall) return;
    $("#hall-name").textContent = hall.name;
    const banner = opened ? openedText(opened.window, opened.matters, OW.lang) : "";
    const notice = [banner, hall.notice].filter(Boolean).join("　　");
    $("#notice").hidden = !notice;
    if ($("#notice-text").textContent !== notice) $("#notice-text").textContent = notice;
    if (windowNumber) return renderWindow();
    const calls = hall.recent_calls.slice(0, 8);
    const top = calls[0];
    $("#latest-label").textContent = t("latest");
    $("#latest-call").textContent = top ? OW.callText(top.ticket, top.window) : t("nothing");
    fit($("#latest-call"));
    $("#calls-label").textContent = t("calls");
    $("#calls").replaceChildren(...calls.map((c) => el("li", { "data-ticket": c.ticket },
      el("span", { class: "num" }, c.ticket), el("span", { class: "win" }, OW.windowName(c.window)))));
    $("#waiting-label").textContent = t("waitingPeople");
    $("#waiting").replaceChildren(...hall.matters.map((m) =>
      el("li", {}, el("span", {}, OW.matterName(m)), el("span", { class: "count" }, m.waiting))));
  }

  // The hall's languages take turns; Mandarin (the first) starts.
  function nextLanguage() {
    const langs = OW.texts().languages;
    if (langs.length < 2) return;
    turn = (turn + 1) % langs.length;
    OW.setLang(langs[turn].code);
    render();
  }

  OW.on("state", (h) => { hall = h; render(); });
  OW.on("event", (e) => {
    if (e.kind === "ticket_called" || e.kind === "ticket_recalled") {
      if (!windowNumber) flash(e.kind);
      if (!windowNumber || (e.window === windowNumber && OW.texts().terminals.window_display_voice)) OWVoice.announceCall(e.ticket, e.window, e.kind);
    } else if (e.kind === "window_opened" && e.window_kind === "standby" && !windowNumber) {
      opened = { window: e.window, matters: e.matters };
      OWVoice.announce({ window: e.window, kind: e.kind, text: openedText(e.window, e.matters, OW.lang) }, (code) => openedText(e.window, e.matters, code));
      render();
    } else if (e.kind === "window_closed" && opened && e.window === opened.window) {
      opened = null; render();
    }
  });
  OW.loadTexts().then((texts) => {
    if (texts.languages[0]) OW.setLang(texts.languages[0].code);
    setInterval(nextLanguage, texts.terminals.language_switch_s * 1000);
    OW.connect();
  });
})();
