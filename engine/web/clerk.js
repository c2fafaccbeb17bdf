"use strict";
// The clerk console, driven by the window's state: signed out, the sign-in form alone; then one primary
// action for the state (叫号 → 开始办理 → 办结 with its outcome; 继续 when paused), the rest secondary, every
// action with its key. The current citizen's matter, class (green channel marked), wait and service time;
// the queue of the window's matters; held tickets, each resumable. 过号 and 签退 ask first. The transfer
// choice is kept across updates; focus goes to the primary action after signing in.
(() => {
  const { t, el, $ } = OW;
  let hall = null, win = null, current = null, startedAt = null, matterKeys = "", focusPrimary = false;
  // The ticket as the last reply gave it (its 自报 flag, masked ID): the view has only what the events
  // say, and the reply may arrive before or after the event that puts the ticket at this window.
  let replied = null;
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  $("#lang").append(OW.langButton());
  const show = (text, ok = false) => $("#msg").replaceChildren(el("div", { class: ok ? "message ok" : "message", role: "alert", id: "message" }, text));
  const OUTCOMES = [["completed", "outcomeCompleted"], ["pending", "outcomePending"], ["refused", "outcomeRefused"], ["advised", "outcomeAdvised"]];
  $("#outcomes").append(...OUTCOMES.map(([value, key], i) => el("label", {},
    el("input", { type: "radio", name: "outcome", value, ...(i === 0 ? { checked: "" } : {}) }), t(key))));

  async function act(body) {
    try {
      const reply = await OW.request({ window: win, ...body });
      $("#msg").replaceChildren();
      if (reply.result.kind === "ticket") { replied = current = reply.result.ticket; startedAt = null; }
      return reply;
    } catch (e) { show(OW.errorText(e.code, e.message)); return null; }
  }
  const ended = (r) => { if (r) { current = null; startedAt = null; render(); } return r; };
  const upper = (id) => $(id).value.trim().toUpperCase();
  const ask = (key) => confirm(t(key).replace("{n}", (current && current.number) || ""));
  // The window's actions, each with its key; `when` says in which states it applies.
  const ACTIONS = [
    ["callNext", "n", ["free"], () => act({ type: "call_next" })],
    ["start", "s", ["called"], () => act({ type: "start_service" }).then((r) => { if (r) startedAt = Date.now(); render(); })],
    ["finish", "f", ["serving", "called"], () => act({ type: "finish", outcome: document.querySelector("input[name=outcome]:checked").value }).then(ended)],
    ["recall", "r", ["called"], () => act({ type: "recall" })],
    ["noShow", "x", ["called"], () => (ask("confirmNoShow") ? act({ type: "no_show" }).then(ended) : null)],
    ["transfer", "t", ["called", "serving"], () => {
      const body = { type: "transfer", first: true };
      if ($("#transfer-matter").value) body.matter = $("#transfer-matter").value;
      if ($("#transfer-window").value) body.to_window = Number($("#transfer-window").value);
      return act(body).then(ended);
    }],
    ["hold", "h", ["serving"], () => act({ type: "hold" }).then(ended)],
    ["callNumber", "c", ["free"], () => act({ type: "call_number", ticket: upper("#number") })],
    ["resumeHeld", "u", ["free"], () => act({ type: "resume_held", ticket: upper("#number") })],
    ["pause", "p", ["free"], () => act({ type: "pause" })],
    ["resume", "g", ["paused"], () => act({ type: "resume" })],
    ["signOut", "o", ["free", "paused"], () => (ask("confirmSignOut") ? act({ type: "sign_out" }) : null)],
  ];
  const PRIMARY = { free: "callNext", called: "start", serving: "finish", paused: "resume" };
  const buttons = new Map(ACTIONS.map(([key, k, , f]) => [key, el("button", { id: `act-${key}`, type: "button", onclick: f }, t(key), el("kbd", {}, k.toUpperCase()))]));
  document.addEventListener("keydown", (e) => {
    if (["INPUT", "SELECT", "TEXTAREA"].includes(e.target.tagName) || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const a = ACTIONS.find(([, k]) => k === e.key.toLowerCase());
    if (a && win !== null && !$("#console").hidden) { e.preventDefault(); a[3](); }
  });
  $("#signin").addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await act({ type: "sign_in", clerk: $("#clerk").value.trim(), pin: $("#pin").value });
    $("#pin").value = "";
    if (r) {
      show(t("ok"), true);
      // The next key is for the console, not the PIN field: the primary action takes the focus as soon
      // as the console shows (when the sign-in reaches this page's view).
      document.activeElement.blur();
      focusPrimary = true;
      render();
    }
  });

  // The window's state as the clerk sees it.
  function stateOf(w) {
    if (w.paused) return "paused";
    if (!w.current) return "free";
    const ticket = hall.tickets.find((x) => x.ticket === w.current);
    return ticket && ticket.state === "serving" ? "serving" : "called";
  }
  const clock = (ms) => { const s = Math.max(0, Math.floor(ms / 1000)); return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`; };

  function renderCurrent(w, state) {
    const ticket = w.current && hall.tickets.find((x) => x.ticket === w.current);
    if (!w.current) { current = null; startedAt = null; }
    else if (!current || current.number !== w.current) {
      current = replied && replied.number === w.current ? replied : { number: w.current, matter: ticket && ticket.matter, issued_at: ticket && ticket.issued_at };
    }
    $("#current").textContent = current ? current.number : "—";
    if (!current) return $("#current-detail").replaceChildren();
    const m = hall.matters.find((x) => x.key === current.matter);
    const now = Date.now();
    const parts = [el("span", { id: "current-matter" }, m ? OW.matterName(m) : current.matter || "")];
    if (current.class === "green") parts.push(el("span", { class: "chip green", id: "current-green" }, `${t("green")}${current.green ? " · " + t(current.green) : ""}`));
    // A green channel asked for without an ID (自报): the clerk checks and keeps or downgrades it.
    if (current.declared) {
      const confirmClass = (keep) => act({ type: "confirm_class", keep }).then((r) => {
        if (!r) return;
        current.declared = false;
        if (!keep) { current.class = "normal"; current.green = null; }
        render();
      });
      parts.push(el("span", { class: "chip", id: "current-declared" }, t("declared")),
        el("button", { class: "secondary", type: "button", id: "keep-green", onclick: () => confirmClass(true) }, t("keepGreen")),
        el("button", { class: "secondary", type: "button", id: "downgrade", onclick: () => confirmClass(false) }, t("downgrade")));
    }
    if (current.issued_at) parts.push(el("span", {}, `${t("waited")} ${OW.minutes(now - current.issued_at)} ${t("minutes")}`));
    const since = state === "serving" ? (startedAt || w.current_since) : w.current_since;
    if (since) parts.push(el("span", { id: "service-timer", class: "timer" }, `${t(state === "serving" ? "serviceTime" : "calledFor")} ${clock(now - since)}`));
    if (current.id_masked) parts.push(el("span", {}, `ID ${current.id_masked}`));
    $("#current-detail").replaceChildren(...parts);
  }

  function render() {
    if (!hall || win === null) return;
    const w = hall.windows.find((x) => x.number === win);
    if (!w) return;
    $("#title").textContent = `${OW.windowName(w.number)} · ${w.name}${w.clerk ? ` · ${t("clerk")} ${w.clerk}` : ""}`;
    const signedIn = !!w.clerk;
    $("#signin").hidden = signedIn; $("#console").hidden = !signedIn;
    const state = stateOf(w);
    $("#window-state").textContent = signedIn ? t(state === "free" ? "free" : state) : t("unstaffed");
    $("#window-state").className = `chip state-${signedIn ? state : "unstaffed"}`;
    renderCurrent(w, state);
    // One primary action; the others secondary, those that do not apply now disabled.
    const primary = buttons.get(PRIMARY[state]);
    primary.className = "primary";
    if (primary.parentNode !== $("#primary")) {
      const focused = document.activeElement && document.activeElement.tagName === "BUTTON" && document.activeElement.id.startsWith("act-");
      $("#primary").replaceChildren(primary);
      $("#actions").replaceChildren(...ACTIONS.filter(([key]) => key !== PRIMARY[state]).map(([key]) => buttons.get(key)));
      if (focused) primary.focus();
    }
    for (const [key, , when] of ACTIONS) {
      const b = buttons.get(key);
      if (b !== primary) b.className = "secondary";
      b.disabled = !when.includes(state);
    }
    $("#outcomes").hidden = !["serving", "called"].includes(state);
    if (focusPrimary && signedIn) { focusPrimary = false; primary.focus(); }
    const mine = hall.matters.filter((m) => w.matters.includes(m.key));
    const oldest = Math.min(...mine.map((m) => m.oldest_issued_at ?? Infinity));
    $("#stats").textContent = `${t("served")}: ${w.served_today} · ${t("oldest")}: ${oldest === Infinity ? "—" : OW.minutes(Date.now() - oldest) + " " + t("minutes")}`;
    $("#queue").replaceChildren(...mine.map((m) => el("tr", {}, el("td", {}, OW.matterName(m)), el("td", {}, m.waiting), el("td", {}, m.queue.join(" ")))));
    const held = hall.tickets.filter((x) => x.state === "held" && w.matters.includes(x.matter));
    $("#held").replaceChildren(...(held.length ? held.map((x) => {
      const m = hall.matters.find((y) => y.key === x.matter);
      const resume = el("button", { class: "secondary", type: "button", onclick: () => act({ type: "resume_held", ticket: x.ticket }) }, t("resumeHeld"));
      resume.disabled = state !== "free";
      return el("li", { "data-ticket": x.ticket }, `${x.ticket} · ${m ? OW.matterName(m) : x.matter} `, resume);
    }) : [el("li", {}, t("nothing"))]));
    // Advisory staffing: the review asks this standby window to open; its clerk accepts, then signs in.
    const req = (hall.staffing_requests || []).find((r) => r.window === win);
    $("#staffing-request").hidden = !req;
    if (req) {
      const m = hall.matters.find((x) => x.key === req.staffing.matter);
      const s = req.staffing;
      $("#staffing-request").replaceChildren(el("div", { class: "message", role: "alert" },
        `${t("staffing")}: ${m ? OW.matterName(m) : s.matter}: ${OW.waitingText(s.waiting)}, ${t("predicted")} ` +
        `${s.predicted_ms == null ? "—" : OW.minutes(s.predicted_ms) + " " + t("minutes")} (${t("target")} ${OW.minutes(s.target_ms)} ${t("minutes")}) `,
        el("button", { id: "accept-staffing", onclick: () => act({ type: "accept_staffing" }) }, t("accept"))));
    }
    // The transfer choices are built when the matters change, not on every update: a choice stays.
    const keys = hall.matters.map((m) => m.key).join();
    if (keys !== matterKeys) {
      matterKeys = keys;
      const chosen = $("#transfer-matter").value;
      $("#transfer-matter").replaceChildren(el("option", { value: "" }, "—"), ...hall.matters.map((m) => el("option", { value: m.key }, OW.matterName(m))));
      $("#transfer-matter").value = chosen;
    }
  }
  // The service timer ticks; nothing else is redrawn.
  setInterval(() => {
    const w = hall && hall.windows.find((x) => x.number === win);
    if (w && w.clerk) renderCurrent(w, stateOf(w));
  }, 1000);
  OW.on("welcome", (r) => { win = r.windows[0] ?? null; render(); });
  OW.on("state", (h) => { hall = h; render(); });
  OW.on("event", (e, msg) => { if (e.kind === "service_started" && e.window === win) startedAt = msg.at; });
  OW.connect();
})();
