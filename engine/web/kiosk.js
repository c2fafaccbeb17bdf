"use strict";
// The self-service kiosk: matters with people waiting and the engine's wait estimate, green channel (age read from the
// ID number's birth date), appointment check-in, the ticket on screen and on the 80 mm printer, help.
(() => {
  const { t, el, $ } = OW;
  let hall = null;
  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  $("#title").textContent = t("take");
  $("#lang").append(OW.langButton());

  function show(text, ok = false) {
    $("#msg").replaceChildren(el("div", { class: ok ? "message ok" : "message", role: "alert" }, text));
  }
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
    if (age !== null && age >= 60 && !$("#green").value) $("#green").value = "elderly";
  });

  // The engine's estimate for a new ticket of each matter comes with every snapshot (asked for after
  // each event, and every 30 s); a matter past its capacity cut-off (限号) says so plainly.
  function render() {
    if (!hall) return;
    const cut = new Set(hall.cut_off || []);
    $("#matters").replaceChildren(...hall.matters.map((m) =>
      el("button", { class: cut.has(m.key) ? "matter cut-off" : "matter", "data-matter": m.key, onclick: () => issue(m.key) },
        OW.matterName(m),
        el("small", { class: "estimate" }, cut.has(m.key)
          ? t("cutOff")
          : `${t("waiting")} ${m.waiting} ${t("people")} · ${OW.waitText(m.estimate)}`))));
  }

  function printTicket(ticket) {
    const m = hall && hall.matters.find((x) => x.key === ticket.matter);
    const issued = new Date(ticket.issued_at).toLocaleTimeString();
    $("#ticket").hidden = false;
    $("#ticket").replaceChildren(
      el("div", {}, hall ? hall.name : ""),
      el("div", {}, t("yourTicket")),
      el("div", { class: "number", id: "ticket-number" }, ticket.number),
      el("div", {}, m ? OW.matterName(m) : ticket.matter),
      el("div", {}, `${t("ahead")} ${ticket.ahead ?? 0} ${t("people")}`),
      el("div", { id: "ticket-estimate" }, OW.waitText(ticket.estimate)),
      el("div", {}, `${t("issuedAt")} ${issued}`),
      el("button", { onclick: () => window.print() }, t("print")));
    // One tap takes the ticket and prints it, as hall kiosks do (Chromium in kiosk mode with
    // --kiosk-printing prints without a dialog: docs/operations.md); the button prints again.
    window.print();
  }

  async function issue(matter) {
    const body = { type: "issue_ticket", matter };
    const green = $("#green").value, id = $("#id-number").value.trim();
    if (green) body.green = green;
    if (id) body.id_number = id;
    try {
      const reply = await OW.request(body);
      $("#msg").replaceChildren();
      printTicket(reply.result.ticket);
      $("#id-number").value = ""; $("#green").value = ""; $("#age").textContent = "";
    } catch (e) { show(OW.errorText(e.code, e.message)); }
  }
  $("#checkin").addEventListener("click", async () => {
    try {
      const reply = await OW.request({ type: "check_in", code: $("#code").value.trim() });
      printTicket(reply.result.ticket);
      $("#code").value = "";
    } catch (e) { show(OW.errorText(e.code, e.message)); }
  });
  $("#help").addEventListener("click", async () => {
    try { await OW.request({ type: "request_help" }); show(t("helpSent"), true); }
    catch (e) { show(OW.errorText(e.code, e.message)); }
  });
  OW.on("state", (h) => { hall = h; render(); });
  OW.connect();
})();
