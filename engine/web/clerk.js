"use strict";
// The clerk console: sign in with a PIN, then every window action with a keyboard shortcut; the
// current ticket (ID masked), the queue of the window's matters, the oldest wait, today's count.
(() => {
  const { t, el, $ } = OW;
  let hall = null, windows = [], win = null, current = null;
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  $("#lang").append(OW.langButton());
  const show = (text, ok = false) => $("#msg").replaceChildren(el("div", { class: ok ? "message ok" : "message", role: "alert", id: "message" }, text));

  async function act(body) {
    try {
      const reply = await OW.request({ window: win, ...body });
      $("#msg").replaceChildren();
      if (reply.result.kind === "ticket") {
        current = reply.result.ticket;
        $("#current").textContent = current.number;
        $("#current-detail").textContent = current.id_masked ? `ID ${current.id_masked}` : "";
      }
      return reply;
    } catch (e) { show(OW.errorText(e.code, e.message)); return null; }
  }
  // The window's actions, each with its key.
  const ACTIONS = [
    ["callNext", "n", () => act({ type: "call_next" })],
    ["recall", "r", () => act({ type: "recall" })],
    ["callNumber", "c", () => act({ type: "call_number", ticket: $("#number").value.trim().toUpperCase() })],
    ["start", "s", () => act({ type: "start_service" })],
    ["finish", "f", () => act({ type: "finish", outcome: "completed" }).then((r) => { if (r) { current = null; $("#current").textContent = "—"; $("#current-detail").textContent = ""; } })],
    ["noShow", "x", () => act({ type: "no_show" }).then((r) => { if (r) $("#current").textContent = "—"; })],
    ["transfer", "t", () => {
      const body = { type: "transfer", first: true };
      if ($("#transfer-matter").value) body.matter = $("#transfer-matter").value;
      if ($("#transfer-window").value) body.to_window = Number($("#transfer-window").value);
      return act(body).then((r) => { if (r) $("#current").textContent = "—"; });
    }],
    ["hold", "h", () => act({ type: "hold" }).then((r) => { if (r) $("#current").textContent = "—"; })],
    ["resumeHeld", "u", () => act({ type: "resume_held", ticket: $("#number").value.trim().toUpperCase() })],
    ["pause", "p", () => act({ type: "pause" })],
    ["resume", "g", () => act({ type: "resume" })],
    ["signOut", "o", () => act({ type: "sign_out" })],
  ];
  $("#actions").replaceChildren(...ACTIONS.map(([key, k, f]) =>
    el("button", { id: `act-${key}`, onclick: f }, t(key), el("kbd", {}, k.toUpperCase()))));
  document.addEventListener("keydown", (e) => {
    if (e.target.tagName === "INPUT" || e.ctrlKey || e.metaKey || e.altKey) return;
    const a = ACTIONS.find(([, k]) => k === e.key.toLowerCase());
    if (a) { e.preventDefault(); a[2](); }
  });
  $("#signin").addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await act({ type: "sign_in", clerk: $("#clerk").value.trim(), pin: $("#pin").value });
    if (r) { $("#pin").value = ""; show(t("ok"), true); }
  });

  function render() {
    if (!hall || win === null) return;
    const w = hall.windows.find((x) => x.number === win);
    if (!w) return;
    $("#title").textContent = `${t("window")} ${w.number} · ${w.name}${w.clerk ? " · " + w.clerk : ""}`;
    if (w.current && (!current || current.number !== w.current)) $("#current").textContent = w.current;
    if (!w.current && !current) $("#current").textContent = "—";
    const mine = hall.matters.filter((m) => w.matters.includes(m.key));
    const oldest = Math.min(...mine.map((m) => m.oldest_issued_at ?? Infinity));
    $("#stats").textContent = `${t("served")}: ${w.served_today} · ${t("oldest")}: ${oldest === Infinity ? "—" : OW.minutes(Date.now() - oldest) + " " + t("minutes")}`;
    $("#queue").replaceChildren(...mine.map((m) => el("tr", {}, el("td", {}, OW.matterName(m)), el("td", {}, m.waiting), el("td", {}, m.queue.join(" ")))));
    // Advisory staffing: the review asks this standby window to open; its clerk accepts, then signs in.
    const req = (hall.staffing_requests || []).find((r) => r.window === win);
    $("#staffing-request").hidden = !req;
    if (req) {
      const m = hall.matters.find((x) => x.key === req.staffing.matter);
      const s = req.staffing;
      $("#staffing-request").replaceChildren(el("div", { class: "message", role: "alert" },
        `${t("staffing")}: ${m ? OW.matterName(m) : s.matter} ${t("waiting")} ${s.waiting}, ${t("predicted")} ` +
        `${s.predicted_ms == null ? "—" : OW.minutes(s.predicted_ms) + " " + t("minutes")} (${t("target")} ${OW.minutes(s.target_ms)} ${t("minutes")}) `,
        el("button", { id: "accept-staffing", onclick: () => act({ type: "accept_staffing" }) }, t("accept"))));
    }
    $("#transfer-matter").replaceChildren(el("option", { value: "" }, "—"), ...hall.matters.map((m) => el("option", { value: m.key }, OW.matterName(m))));
  }
  OW.on("welcome", (r) => { windows = r.windows; win = windows[0] ?? null; render(); });
  OW.on("state", (h) => { hall = h; render(); });
  OW.connect();
})();
