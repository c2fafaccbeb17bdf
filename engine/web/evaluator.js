"use strict";
// The 好差评 pad at a window: idle until a ticket is finished at its window, then the ticket and the five
// national levels as large buttons; 不满意 and 非常不满意 ask for a reason from the hall's list
// (`[terminals] rating_reasons`) and take an optional comment; thanks, then idle again. The core takes
// one rating per ticket; a 差评 opens a rectification case on the supervisor wall.
(() => {
  const { t, el, $ } = OW;
  const LEVELS = ["very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied"];
  const LOW = new Set(["dissatisfied", "very_dissatisfied"]);
  const WAIT_MS = 90_000, THANKS_MS = 5_000;
  let win = null, ticket = null, timer = null;
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  $("#lang").append(OW.langButton());
  const show = (text) => $("#msg").replaceChildren(el("div", { class: "message", role: "alert" }, text));

  function screen(name) {
    for (const id of ["idle", "rate", "reasons-box", "thanks"]) $(`#${id}`).hidden = id !== name;
    clearTimeout(timer);
    if (name === "rate" || name === "reasons-box") timer = setTimeout(() => screen("idle"), WAIT_MS);
    if (name === "thanks") timer = setTimeout(() => screen("idle"), THANKS_MS);
    const first = $(`#${name} button`);
    if (first) first.focus();
  }
  $("#levels").append(...LEVELS.map((level, i) => el("button", { type: "button", class: `level level-${i + 1}`, "data-level": level,
    onclick: () => (LOW.has(level) ? askReason(level) : rate(level)) }, t(level))));

  function askReason(level) {
    const reasons = OW.texts().terminals.rating_reasons;
    if (!reasons.length) return rate(level);
    $("#reasons").replaceChildren(...reasons.map((r) => el("button", { type: "button", class: "secondary", "data-reason": r.key,
      onclick: () => rate(level, r.key) }, OW.lang === "zh" ? r.zh : r.en)));
    $("#comment").value = "";
    screen("reasons-box");
  }
  async function rate(rating, reason) {
    const body = { type: "rate", window: win, ticket, rating };
    if (reason) body.reason = reason;
    const comment = reason ? $("#comment").value.trim() : "";
    if (comment) body.comment = comment;
    try { await OW.request(body); $("#msg").replaceChildren(); screen("thanks"); }
    catch (e) { show(OW.errorText(e.code, e.message)); screen("idle"); }
  }

  OW.on("welcome", (r) => {
    win = r.windows[0] ?? null;
    $("#title").textContent = win === null ? "" : OW.windowName(win);
    $("#idle-text").textContent = t("idle");
  });
  OW.on("event", (e) => {
    if (e.kind === "service_finished" && e.window === win) {
      ticket = e.ticket;
      $("#rate-ticket").textContent = ticket;
      $("#msg").replaceChildren();
      screen("rate");
    }
  });
  OW.connect();
})();
