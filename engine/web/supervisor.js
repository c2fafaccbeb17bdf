"use strict";
// The supervisor wall (1920×1080, one screen for a hall of 16 windows and 7 matters, read from 3 m):
// alerts ranked by severity (a wait already past its target, an unstaffed green channel, a predicted wait
// past target, a long service, a long pause; a doubted clock or a hall date ahead of the server's),
// temporary-window requests with live numbers, help requests to acknowledge, 差评 rectification cases
// (a new one and an overdue step are alerts; assign, contacted, resolve with a note), every matter, every window as
// a tile coloured by its state (serving, free, paused, closed, unstaffed) with its skills and, for standby
// windows, open/close; the notice; closing the day. Parts are redrawn only when what they show changed, so
// the focus stays where the supervisor put it.
(() => {
  const { t, el, $ } = OW;
  const LONG_PAUSE_MS = 15 * 60000, LONG_SERVICE_MIN_MS = 10 * 60000;
  let hall = null;
  let exportLag = null; // the export to the province (GET /api/export), when the hall exports
  const pausedAt = new Map(); // window → when it paused, from the events seen
  const shown = new Map(); // part → what it shows now
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  $("#lang").append(OW.langButton());
  const show = (text, ok = false) => $("#msg").replaceChildren(el("div", { class: ok ? "message ok" : "message", role: "alert" }, text));
  async function act(body) {
    try { await OW.request(body); show(t("ok"), true); return true; } catch (e) { show(OW.errorText(e.code, e.message)); return false; }
  }
  const min = (ms) => `${OW.minutes(ms)} ${t("minutes")}`;
  const matterOf = (key) => hall.matters.find((m) => m.key === key);
  const nameOf = (key) => { const m = matterOf(key); return m ? OW.matterName(m) : key; };
  // Replaces a part's content only when its description changed.
  function part(node, description, build) {
    const key = JSON.stringify(description);
    if (shown.get(node.id) === key) return;
    shown.set(node.id, key);
    node.replaceChildren(...build());
  }

  // Every alert with its rank: 0 red (now), 1 amber (soon), 2 watch.
  function alerts(now) {
    const list = [];
    if (hall.clock_warning) list.push({ rank: 0, id: "clock-warning", text: hall.clock_warning });
    // The province's copy is behind by `[export] lag_alert_s` (a minute by default) or more (amber),
    // ten times that (red): NATS or the network to it is down; the hall works on and the export
    // catches up by itself.
    if (exportLag && exportLag.lag_events > 0 && exportLag.lag_seconds >= exportLag.alert_after_s) {
      list.push({ rank: exportLag.lag_seconds >= 10 * exportLag.alert_after_s ? 0 : 1, id: "export-lag",
        text: `${t("exportLag")} · ${exportLag.lag_events} ${t("exportEvents")} · ${min(exportLag.lag_seconds * 1000)}` });
    }
    if (hall.date && hall.server_date && hall.date > hall.server_date) {
      list.push({ rank: 0, id: "date-warning", text: `${t("hallDate")} ${hall.date} ≠ ${t("serverDate")} ${hall.server_date} `, fix: true });
    }
    for (const m of hall.matters) {
      const oldest = m.oldest_issued_at ? now - m.oldest_issued_at : 0;
      if (oldest > m.target_wait_ms) {
        list.push({ rank: 0, over: oldest / m.target_wait_ms, text: `${t("actualOver")} · ${OW.matterName(m)}: ${t("oldest")} ${min(oldest)} > ${t("target")} ${min(m.target_wait_ms)}` });
      } else if (m.estimate && m.estimate.median_ms != null && m.estimate.median_ms > m.target_wait_ms) {
        list.push({ rank: 1, over: m.estimate.median_ms / m.target_wait_ms, text: `${t("predictedOver")} · ${OW.matterName(m)}: ${t("predicted")} ${min(m.estimate.median_ms)} > ${t("target")} ${min(m.target_wait_ms)}` });
      } else if (m.waiting > 0 && m.active_windows === 0) {
        list.push({ rank: 1, over: 1, text: `${t("predictedOver")} · ${OW.matterName(m)}: ${OW.waitingText(m.waiting)}, ${t("windowsNow").replace("{n}", 0)}` });
      }
    }
    for (const w of hall.windows) {
      if (w.kind === "green_channel" && w.status !== "closed" && !w.clerk) {
        list.push({ rank: 0, over: 0, text: `${t("greenUnstaffed")}: ${OW.windowName(w.number)} ${w.name}` });
      }
      const ticket = w.current && hall.tickets.find((x) => x.ticket === w.current);
      const m = ticket && matterOf(ticket.matter);
      const limit = Math.max(LONG_SERVICE_MIN_MS, 2 * ((m && m.aht_ms) || 0));
      if (w.current_since && now - w.current_since > limit) {
        list.push({ rank: 1, over: 0, text: `${t("longService")}: ${OW.windowName(w.number)} ${w.current} ${min(now - w.current_since)}` });
      }
      if (w.paused && pausedAt.has(w.number) && now - pausedAt.get(w.number) > LONG_PAUSE_MS) {
        list.push({ rank: 2, over: 0, text: `${t("longPause")}: ${OW.windowName(w.number)} ${min(now - pausedAt.get(w.number))}` });
      }
    }
    // A clerk locked out after wrong PINs (someone guessing, or a clerk who forgot): until when.
    for (const lock of hall.locked || []) {
      if (lock.until > now) {
        const until = new Date(lock.until).toLocaleTimeString(OW.locale(), { hour: "2-digit", minute: "2-digit" });
        list.push({ rank: 1, over: 0, id: `locked-${lock.clerk}`, text: `${t("clerkLocked")}: ${t("clerk")} ${lock.clerk} → ${until}` });
      }
    }
    // A 差评 is followed up: a new case until someone is assigned, a step past its due time at once.
    for (const c of hall.cases || []) {
      const late = overdue(c, now);
      if (late.length) {
        list.push({ rank: 0, over: 0, id: `case-alert-${c.id}`, text: `${t("caseOverdue")} · #${c.id} ${c.ticket}: ${late.map((s) => t(STEP_TEXT[s])).join("、")}` });
      } else if (!c.assigned_to) {
        list.push({ rank: 1, over: 0, id: `case-alert-${c.id}`, text: `${t("newBad")} · #${c.id} ${c.ticket} ${t(c.rating)} ${reasonText(c.reason)}` });
      }
    }
    return list.sort((a, b) => a.rank - b.rank || (b.over || 0) - (a.over || 0));
  }

  const STEP_TEXT = { assign: "stepAssign", contact: "stepContact", resolve: "stepResolve" };
  // The steps of a case past their due time and not done.
  function overdue(c, now) {
    const late = [];
    if (!c.assigned_to && now > c.due.assign) late.push("assign");
    if (!c.contacted_at && now > c.due.contact) late.push("contact");
    if (now > c.due.resolve) late.push("resolve");
    return late;
  }
  function reasonText(key) {
    const r = key && OW.texts().terminals.rating_reasons.find((x) => x.key === key);
    return r ? (OW.lang === "zh" ? r.zh : r.en) : (key || "");
  }
  const when = (ms) => new Date(ms).toLocaleString(OW.locale(), { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  function renderCases(now) {
    const cases = (hall.cases || []).map((c) => {
      const step = !c.assigned_to ? "assign" : !c.contacted_at ? "contact" : "resolve";
      return { id: c.id, ticket: c.ticket, matter: c.matter, window: c.window, rating: c.rating, reason: c.reason, comment: c.comment || "",
        assigned: c.assigned_to || "", contacted: !!c.contacted_at, step, due: c.due[step], late: overdue(c, now).length > 0 };
    });
    part($("#cases"), cases, () => (cases.length ? cases.map((c) => el("li", { class: `alert rank-${c.late ? 0 : 1}`, "data-case": c.id },
      `#${c.id} ${c.ticket} · ${nameOf(c.matter)} · ${OW.windowName(c.window)} · ${t(c.rating)} ${reasonText(c.reason)}` +
      (c.comment ? ` “${c.comment}”` : "") + (c.assigned ? ` · ${t("assignedTo")} ${c.assigned}` : "") +
      ` · ${t("nextStep")} ${t(STEP_TEXT[c.step])} (${t("due")} ${when(c.due)}) `,
      el("span", { class: "actions" },
        ...(c.assigned ? [] : [el("button", { type: "button", "data-step": "assigned", onclick: () => caseStep(c.id, "assigned") }, t("assign"))]),
        ...(c.contacted ? [] : [el("button", { type: "button", class: "secondary", "data-step": "contacted", onclick: () => act({ type: "progress_case", case: c.id, step: "contacted" }) }, t("contacted"))]),
        el("button", { type: "button", "data-step": "resolved", onclick: () => caseStep(c.id, "resolved") }, t("resolveCase"))))) : [el("li", {}, t("nothing"))]));
  }
  // Assigning asks who; resolving asks how.
  let caseEditing = null;
  function caseStep(id, step) {
    caseEditing = { id, step };
    $("#case-title").textContent = `#${id} · ${t(step === "assigned" ? "assign" : "resolveCase")}`;
    $("#case-label").textContent = t(step === "assigned" ? "assignTo" : "resolution");
    $("#case-text").value = "";
    $("#case-dialog").showModal();
    $("#case-text").focus();
  }
  $("#case-dialog").addEventListener("close", () => {
    if ($("#case-dialog").returnValue !== "save" || !caseEditing) return;
    const text = $("#case-text").value.trim();
    const body = { type: "progress_case", case: caseEditing.id, step: caseEditing.step };
    if (caseEditing.step === "assigned") body.to = text; else body.note = text;
    act(body);
  });

  function renderAlerts(now) {
    const list = alerts(now);
    part($("#alerts"), list, () => (list.length ? list.map((a) => el("li", { class: `alert rank-${a.rank}`, ...(a.id ? { id: a.id } : {}) }, a.text,
      ...(a.fix ? [el("button", { type: "button", onclick: () => { if (confirm(t("fixDateConfirm"))) act({ type: "set_hall_date", date: hall.server_date }); } }, t("fixDate"))] : []))) : [el("li", {}, t("nothing"))]));
  }

  function renderRequests() {
    // Advisory staffing, with today's numbers of the matter (not those of the moment it was asked).
    const requests = (hall.staffing_requests || []).map((r) => {
      const m = matterOf(r.staffing.matter);
      const predicted = m && m.estimate && m.estimate.median_ms != null ? m.estimate.median_ms : r.staffing.predicted_ms;
      return { window: r.window, matter: r.staffing.matter, waiting: m ? m.waiting : r.staffing.waiting, windows: m ? m.active_windows : r.staffing.windows, predicted, target: r.staffing.target_ms };
    });
    part($("#staffing"), requests, () => (requests.length ? requests.map((r) => el("li", { class: "alert rank-1", "data-window": r.window },
      `${OW.windowName(r.window)} · ${nameOf(r.matter)}: ${OW.waitingText(r.waiting)} · ${t("windowsNow").replace("{n}", r.windows)} · ` +
      `${t("predicted")} ${r.predicted == null ? "—" : min(r.predicted)} (${t("target")} ${min(r.target)}) `,
      el("button", { type: "button", onclick: () => act({ type: "accept_staffing", window: r.window }) }, t("accept")))) : [el("li", {}, t("nothing"))]));
    const help = hall.help.map((h) => ({ kiosk: h.kiosk, at: h.at }));
    part($("#help"), help, () => (help.length ? help.map((h) => el("li", { class: "alert rank-0", "data-kiosk": h.kiosk },
      `${h.kiosk} · ${new Date(h.at).toLocaleTimeString(OW.locale(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" })} `,
      el("button", { type: "button", onclick: () => act({ type: "answer_help", kiosk: h.kiosk }) }, t("ack")))) : [el("li", {}, t("nothing"))]));
  }

  function renderMatters(now) {
    const rows = hall.matters.map((m) => ({
      key: m.key, waiting: m.waiting, windows: m.active_windows, oldest: m.oldest_issued_at ? OW.minutes(now - m.oldest_issued_at) : 0,
      target: OW.minutes(m.target_wait_ms), late: !!m.oldest_issued_at && now - m.oldest_issued_at > m.target_wait_ms,
      estimate: (hall.cut_off || []).includes(m.key) ? t("cutOff") : OW.waitText(m.estimate),
    }));
    part($("#matters"), rows, () => [
      el("tr", {}, ...["matter", "waiting", "openWindows", "oldest", "target", "estimate"].map((k) => el("th", { scope: "col" }, t(k)))),
      ...rows.map((r) => el("tr", { class: r.late ? "late" : "" }, el("td", {}, nameOf(r.key)), el("td", {}, r.waiting), el("td", {}, r.windows),
        el("td", {}, `${r.oldest} ${t("minutes")}`), el("td", {}, `${r.target} ${t("minutes")}`), el("td", {}, r.estimate)))]);
  }

  // A window's state as the wall colours it.
  const stateOf = (w) => (w.status === "closed" ? "closed" : !w.clerk ? "unstaffed" : w.status === "open" ? "free" : w.status);
  function renderWindows(now) {
    const tiles = hall.windows.map((w) => ({
      number: w.number, name: w.name, state: stateOf(w), clerk: w.clerk || "", standby: w.kind === "standby", closed: w.status === "closed",
      current: w.current ? `${w.current} · ${OW.minutes(now - (w.current_since || now))} ${t("minutes")}` : "", served: w.served_today,
      matters: w.matters.map(nameOf).join("、"),
    }));
    part($("#windows"), tiles, () => tiles.map((w) => el("div", { class: `tile state-${w.state}`, "data-window": w.number },
      el("div", { class: "tile-head" }, el("strong", {}, w.number), el("span", {}, w.name)),
      el("div", { class: "tile-state" }, t(w.state), w.clerk ? ` · ${t("clerk")} ${w.clerk}` : ""),
      el("div", { class: "tile-current" }, w.current || "　"),
      el("div", { class: "tile-skills", title: w.matters }, w.matters),
      el("div", { class: "tile-actions" }, `${t("served")} ${w.served}`,
        el("button", { type: "button", class: "secondary", onclick: () => editSkills(w.number) }, t("skills")),
        ...(w.standby ? [el("button", { type: "button", class: "secondary", onclick: () => act({ type: w.closed ? "open_window" : "close_window", window: w.number }) }, t(w.closed ? "open" : "close"))] : [])))));
  }

  function render() {
    if (!hall) return;
    const now = Date.now();
    $("#hall-name").textContent = hall.name;
    $("#clock").textContent = new Date().toLocaleTimeString(OW.locale(), { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    renderAlerts(now); renderRequests(); renderCases(now); renderMatters(now); renderWindows(now);
  }

  // The skills of a window: a dialog of the hall's matters.
  let editing = null;
  function editSkills(number) {
    const w = hall.windows.find((x) => x.number === number);
    editing = number;
    $("#skills-title").textContent = `${OW.windowName(number)} · ${t("skills")}`;
    $("#skills-list").replaceChildren(...hall.matters.map((m) => el("label", {},
      el("input", { type: "checkbox", value: m.key, ...(w.matters.includes(m.key) ? { checked: "" } : {}) }), OW.matterName(m))));
    $("#skills-dialog").showModal();
    $("#skills-list input").focus();
  }
  $("#skills-dialog").addEventListener("close", () => {
    if ($("#skills-dialog").returnValue !== "save" || editing === null) return;
    const matters = [...$("#skills-list").querySelectorAll("input:checked")].map((i) => i.value);
    act({ type: "set_skills", window: editing, matters });
  });
  $("#close-day").addEventListener("click", () => { if (confirm(t("closeDayConfirm"))) act({ type: "close_day" }); });
  $("#notice-form").addEventListener("submit", (e) => { e.preventDefault(); act({ type: "post_notice", text: $("#notice").value }); });
  setInterval(render, 5000);
  async function pollExport() {
    try {
      const res = await fetch("/api/export", { headers: { Authorization: `Bearer ${OW.token()}` } });
      const got = res.ok ? await res.json() : null;
      exportLag = got && got.configured ? got.lag : null;
    } catch (_) { /* offline: the banner says so */ }
  }
  pollExport();
  setInterval(pollExport, 5000);
  OW.on("state", (h) => { hall = h; render(); });
  OW.on("event", (e, msg) => {
    if (e.kind === "window_paused") pausedAt.set(e.window, msg.at);
    if (e.kind === "window_resumed" || e.kind === "clerk_signed_out") pausedAt.delete(e.window);
  });
  OW.connect();
})();
