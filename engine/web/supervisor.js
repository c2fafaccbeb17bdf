"use strict";
// The supervisor wall: every window (state, clerk, current ticket, service time so far), every matter
// (waiting, oldest wait against target, estimate), alerts when a matter's oldest wait passes its target,
// help requests from kiosks, temporary-window requests (advisory staffing) with their numbers, opening and
// closing standby windows, the notice; a doubted clock, and a hall day ahead of the server's date with
// the button that corrects it.
(() => {
  const { t, el, $ } = OW;
  let hall = null;
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  $("#lang").append(OW.langButton());
  const show = (text, ok = false) => $("#msg").replaceChildren(el("div", { class: ok ? "message ok" : "message", role: "alert" }, text));
  async function act(body) {
    try { await OW.request(body); show(t("ok"), true); } catch (e) { show(OW.errorText(e.code, e.message)); }
  }
  function render() {
    if (!hall) return;
    const now = Date.now();
    $("#hall-name").textContent = hall.name;
    $("#clock").textContent = new Date().toLocaleTimeString();
    const late = hall.matters.filter((m) => m.oldest_issued_at && now - m.oldest_issued_at > m.target_wait_ms);
    const alerts = late.map((m) => el("li", { class: "late" },
      `${OW.matterName(m)}: ${t("oldest")} ${OW.minutes(now - m.oldest_issued_at)} > ${t("target")} ${OW.minutes(m.target_wait_ms)} ${t("minutes")}`));
    // The server doubts its clock (a jump it ignores), or the hall's day is ahead of the server's date
    // (opened while the clock was wrong): say so, and offer the one correction the server allows.
    if (hall.clock_warning) alerts.unshift(el("li", { class: "late", id: "clock-warning" }, hall.clock_warning));
    if (hall.date && hall.server_date && hall.date > hall.server_date) {
      alerts.unshift(el("li", { class: "late", id: "date-warning" }, `${t("hallDate")} ${hall.date} ≠ ${t("serverDate")} ${hall.server_date} `,
        el("button", { onclick: () => { if (confirm(t("fixDateConfirm"))) act({ type: "set_hall_date", date: hall.server_date }); } }, t("fixDate"))));
    }
    $("#alerts").replaceChildren(...(alerts.length ? alerts : [el("li", {}, t("nothing"))]));
    $("#help").replaceChildren(...(hall.help.length ? hall.help.map((h) => el("li", { class: "late" }, `${h.kiosk} · ${new Date(h.at).toLocaleTimeString()}`)) : [el("li", {}, t("nothing"))]));
    // Advisory staffing: each request with the numbers behind it; the supervisor (or that window's clerk)
    // accepts, which opens the window.
    const requests = hall.staffing_requests || [];
    $("#staffing").replaceChildren(...(requests.length ? requests.map((r) => {
      const m = hall.matters.find((x) => x.key === r.staffing.matter);
      const s = r.staffing;
      const predicted = s.predicted_ms == null ? "—" : `${OW.minutes(s.predicted_ms)} ${t("minutes")}`;
      return el("li", { class: "late", "data-window": r.window },
        `${t("window")} ${r.window} · ${m ? OW.matterName(m) : s.matter}: ${t("waiting")} ${s.waiting}, ${t("window")} ${s.windows}, ` +
        `${t("predicted")} ${predicted} (${t("target")} ${OW.minutes(s.target_ms)} ${t("minutes")}) `,
        el("button", { onclick: () => act({ type: "accept_staffing", window: r.window }) }, t("accept")));
    }) : [el("li", {}, t("nothing"))]));
    $("#matters").replaceChildren(
      el("tr", {}, ...["matter", "waiting", "oldest", "target", "estimate"].map((k) => el("th", {}, t(k)))),
      ...hall.matters.map((m) => {
        const oldest = m.oldest_issued_at ? now - m.oldest_issued_at : 0;
        return el("tr", { class: oldest > m.target_wait_ms ? "late" : "" }, el("td", {}, OW.matterName(m)), el("td", {}, m.waiting),
          el("td", {}, `${OW.minutes(oldest)} ${t("minutes")}`), el("td", {}, `${OW.minutes(m.target_wait_ms)} ${t("minutes")}`),
          el("td", {}, (hall.cut_off || []).includes(m.key) ? t("cutOff") : OW.waitText(m.estimate)));
      }));
    $("#windows").replaceChildren(
      el("tr", {}, ...["window", "status", "clerk", "current", "served"].map((k) => el("th", {}, t(k))), el("th", {}, "")),
      ...hall.windows.map((w) => el("tr", { "data-window": w.number },
        el("td", {}, `${w.number} ${w.name}`), el("td", {}, t(w.status === "open" ? "free" : w.status)), el("td", {}, w.clerk || ""),
        el("td", {}, w.current ? `${w.current} (${OW.minutes(now - (w.current_since || now))} ${t("minutes")})` : ""), el("td", {}, w.served_today),
        el("td", {}, w.kind === "standby" ? el("button", { class: "secondary", onclick: () => act({ type: w.status === "closed" ? "open_window" : "close_window", window: w.number }) }, t(w.status === "closed" ? "open" : "close")) : ""))));
  }
  setInterval(render, 5000);
  $("#notice-form").addEventListener("submit", (e) => { e.preventDefault(); act({ type: "post_notice", text: $("#notice").value }); });
  OW.on("state", (h) => { hall = h; render(); });
  OW.on("event", (e) => {
    if (e.kind === "help_requested") show(`${t("helpRequests")}: ${e.kiosk}`);
    if (e.kind === "staffing_requested") show(`${t("staffing")}: ${t("window")} ${e.request.window}`);
  });
  OW.connect();
})();
