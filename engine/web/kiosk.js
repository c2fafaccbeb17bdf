"use strict";
// The self-service kiosk (portrait 1080×1920 or 800×1280): the green channel as large labelled choices,
// the matters with people waiting and the engine's wait estimate, ID number (age read from its birth date),
// appointment check-in (by booking code, or by the ID number it was booked with), help. A matter with a
// 一次性告知 shows it first: "材料齐全，取号" takes the ticket, "不齐全，先看告知" keeps the list on screen
// (printable) and issues nothing. One tap on a matter takes the ticket and prints it (80 mm: number, matter,
// people ahead, estimate, time, hall, QR code); the ticket shows until the next touch or
// `kiosk_clear_s`. A long estimate suggests booking when the hall takes bookings.
(() => {
  const { t, el, $ } = OW;
  const GREEN = ["", "elderly", "pregnant", "military", "disabled"];
  let hall = null, green = "", clearTimer = null;
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  $("#title").textContent = t("take");
  $("#lang").append(OW.langButton());

  function show(text, ok = false) {
    $("#msg").replaceChildren(el("div", { class: ok ? "message ok" : "message", role: "alert" }, text));
  }
  function chooseGreen(value) {
    green = value;
    for (const b of $("#green").children) b.setAttribute("aria-pressed", String(b.dataset.green === value));
  }
  $("#green").append(...GREEN.map((g) => el("button", { type: "button", class: "green-option", "data-green": g, "aria-pressed": String(g === ""),
    onclick: () => chooseGreen(g) }, t(g || "greenNone"))));

  // Age from an 18-digit ID number (positions 7–14 are the birth date), for the elderly green channel.
  function ageFromId(id) {
    const m = /^\d{6}(\d{4})(\d{2})(\d{2})\d{3}[\dXx]$/.exec(id);
    if (!m) return null;
    const now = new Date(), born = new Date(+m[1], +m[2] - 1, +m[3]);
    let age = now.getFullYear() - born.getFullYear();
    if (now.getMonth() < born.getMonth() || (now.getMonth() === born.getMonth() && now.getDate() < born.getDate())) age--;
    return age;
  }
  $("#id-number").addEventListener("input", (e) => {
    const age = ageFromId(e.target.value.trim());
    $("#age").textContent = age === null ? "" : `${t("age")}: ${age}`;
    if (age !== null && age >= 60 && !green) chooseGreen("elderly");
  });

  // Minutes past which the estimate suggests booking instead (none: the hall takes no bookings).
  const longWait = (estimate) => {
    const after = OW.texts().terminals.booking_hint_after_min;
    return after != null && estimate && estimate.p80_ms != null && estimate.p80_ms > after * 60000;
  };
  const bookingHint = () => `${t("bookingHint")} ${OW.texts().terminals[OW.lang === "zh" ? "booking_hint_zh" : "booking_hint_en"] || ""}`;
  const aheadText = (n) => (OW.lang === "en" && n === 1 ? "1 person ahead" : t("ticketAhead").replace("{n}", n));

  // The matters: people waiting, the engine's estimate for a new ticket, or the cut-off (限号) plainly.
  function render() {
    if (!hall) return;
    const cut = new Set(hall.cut_off || []);
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.matter : null;
    $("#matters").replaceChildren(...hall.matters.map((m) => {
      const line = cut.has(m.key) ? t("cutOff")
        : `${OW.waitingText(m.waiting)}${m.estimate && m.estimate.median_ms != null ? " · " + OW.waitText(m.estimate) : ""}`;
      return el("button", { type: "button", class: cut.has(m.key) ? "matter cut-off" : "matter", "data-matter": m.key, onclick: () => issue(m.key) },
        el("span", { class: "matter-name" }, OW.matterName(m)), el("small", { class: "estimate" }, line),
        ...(longWait(m.estimate) ? [el("small", { class: "hint" }, bookingHint())] : []));
    }));
    // A redraw keeps the focus where it was (keyboard and screen-reader users).
    if (focused) { const b = $(`#matters [data-matter="${focused}"]`); if (b) b.focus(); }
  }

  function clearTicket() {
    clearTimeout(clearTimer);
    $("#ticket-overlay").hidden = true;
    $("#ticket").replaceChildren();
    const first = $("#matters button");
    if (first) first.focus();
  }
  $("#ticket-overlay").addEventListener("click", clearTicket);

  function printTicket(ticket) {
    const m = hall && hall.matters.find((x) => x.key === ticket.matter);
    const issued = new Date(ticket.issued_at);
    const ahead = ticket.ahead ?? (ticket.estimate ? ticket.estimate.ahead : 0);
    const estimate = ticket.estimate && ticket.estimate.median_ms != null ? OW.waitText(ticket.estimate) : "";
    const terminals = OW.texts().terminals;
    const printedNotice = terminals.print_notice ? (terminals.notices || {})[ticket.matter] : null;
    // The mobile ticket: whoever scans it follows this ticket (an unguessable capability, docs/terminals.md).
    const url = `${location.origin}/t/${ticket.capability}`;
    $("#ticket").replaceChildren(
      el("div", { class: "ticket-hall" }, hall ? hall.name : ""),
      el("div", { class: "ticket-label" }, t("yourTicket")),
      el("div", { class: "number", id: "ticket-number" }, ticket.number),
      el("div", { class: "ticket-matter", id: "ticket-matter" }, m ? OW.matterName(m) : ticket.matter),
      ...(ticket.class === "green" ? [el("div", { class: "ticket-green" }, `${t("green")} · ${t(ticket.green || "")}`)] : []),
      el("div", { id: "ticket-ahead" }, aheadText(ahead)),
      ...(estimate ? [el("div", { id: "ticket-estimate" }, estimate)] : []),
      ...(longWait(ticket.estimate) ? [el("div", { class: "hint" }, bookingHint())] : []),
      el("div", { class: "ticket-time" }, `${t("issuedAt")} ${issued.toLocaleString(OW.locale(), { hour12: false })}`),
      ...(printedNotice ? [el("div", { class: "ticket-notice", id: "ticket-notice" }, ...noticeLines({ ...printedNotice, conditions: [] }))] : []),
      OWQr.svg(url, { class: "ticket-qr", id: "ticket-qr", "data-url": url }),
      el("div", { class: "ticket-scan" }, t("scanToFollow")),
      el("button", { type: "button", onclick: (e) => { e.stopPropagation(); window.print(); } }, t("print")));
    $("#ticket-overlay").hidden = false;
    $("#ticket").focus();
    clearTimeout(clearTimer);
    clearTimer = setTimeout(clearTicket, OW.texts().terminals.kiosk_clear_s * 1000);
    // One tap takes the ticket and prints it, as hall kiosks do (Chromium in kiosk mode with
    // --kiosk-printing prints without a dialog: docs/operations.md); the button prints again.
    window.print();
  }

  // The matter's 一次性告知 as sections of the current language (documents, then conditions).
  function noticeLines(notice) {
    const section = (key, lines) => lines.length === 0 ? [] : [el("h3", {}, t(key)),
      el("ol", { class: `notice-${key}` }, ...lines.map((l) => el("li", {}, OW.lang === "en" ? l.en : l.zh)))];
    return [...section("documents", notice.documents), ...section("conditions", notice.conditions)];
  }
  function closeNotice() {
    clearTimeout(clearTimer);
    $("#notice-overlay").hidden = true;
    $("#notice-dialog").replaceChildren();
  }
  function showNotice(m, notice) {
    const name = OW.matterName(m);
    const back = () => { closeNotice(); const b = $(`#matters [data-matter="${m.key}"]`); if (b) b.focus(); };
    const ready = el("button", { type: "button", id: "notice-ready", onclick: () => { closeNotice(); issue(m.key, true); } }, t("noticeReady"));
    const notReady = el("button", { type: "button", class: "secondary", id: "notice-not-ready", onclick: () => {
      // Nothing is issued: the list stays, to read or print, with the way back.
      const print = el("button", { type: "button", id: "notice-print", onclick: () => window.print() }, t("printNotice"));
      $("#notice-actions").replaceChildren(el("p", { class: "notice-later", role: "status" }, t("noticeLater")), print,
        el("button", { type: "button", class: "secondary", onclick: back }, t("back")));
      print.focus();
    } }, t("noticeNotReady"));
    $("#notice-dialog").replaceChildren(el("h2", { id: "notice-title" }, `${t("noticeTitle")} · ${name}`), ...noticeLines(notice),
      el("div", { id: "notice-actions", class: "notice-actions" }, ready, notReady));
    $("#notice-overlay").hidden = false;
    ready.focus();
    // A kiosk left with the list open goes back by itself, later than a ticket does (there is more to read).
    clearTimeout(clearTimer);
    clearTimer = setTimeout(back, OW.texts().terminals.kiosk_clear_s * 3000);
  }

  async function issue(matter, noticeRead = false) {
    const notice = (OW.texts().terminals.notices || {})[matter];
    const m = hall && hall.matters.find((x) => x.key === matter);
    if (notice && !noticeRead && m) return showNotice(m, notice);
    const body = { type: "issue_ticket", matter };
    const id = $("#id-number").value.trim();
    if (green) body.green = green;
    if (id) body.id_number = id;
    // A phone number for messages (到号提醒) only with the citizen's consent, checked before the ticket.
    const phone = OW.texts().terminals.messages ? $("#phone").value.trim() : "";
    if (phone && !$("#consent").checked) { show(t("smsNeedsConsent")); $("#consent").focus(); return; }
    try {
      const reply = await OW.request(body);
      $("#msg").replaceChildren();
      $("#id-number").value = ""; $("#age").textContent = ""; chooseGreen("");
      const ticket = reply.result.ticket;
      printTicket(ticket);
      if (phone) {
        try { await OW.request({ type: "subscribe", ticket: ticket.number, phone }); show(t("smsOn"), true); }
        catch (e) { show(OW.errorText(e.code, e.message)); }
      }
      $("#phone").value = ""; $("#consent").checked = false;
    } catch (e) { show(OW.errorText(e.code, e.message)); }
  }
  $("#checkin").addEventListener("click", async () => {
    try {
      // The booking code if typed, else the ID number the booking was made with (read by the card reader).
      const code = $("#code").value.trim(), id = $("#id-number").value.trim();
      const reply = await OW.request(code || !id ? { type: "check_in", code } : { type: "check_in", id_number: id });
      $("#code").value = ""; $("#id-number").value = ""; $("#age").textContent = "";
      printTicket(reply.result.ticket);
    } catch (e) { show(OW.errorText(e.code, e.message)); }
  });
  $("#help").addEventListener("click", async () => {
    try { await OW.request({ type: "request_help" }); show(t("helpSent"), true); }
    catch (e) { show(OW.errorText(e.code, e.message)); }
  });
  OW.on("state", (h) => { hall = h; $("#sms-box").hidden = !OW.texts().terminals.messages; render(); });
  OW.connect();
})();
