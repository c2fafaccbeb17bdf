"use strict";
// The mobile ticket (/t/<capability>, opened from the ticket's QR code; no login). Follows one ticket
// over the WebSocket (`follow`, docs/protocol.md): the number, matter, people ahead and the estimate,
// live; an alert when the turn is near (`near_ahead` in /api/texts) and when it is called, with the
// window (vibration and a page notification where the phone allows); cancel my ticket; the matter's
// 一次性告知. Reconnects with backoff; a refused or expired ticket says so and stops.
(() => {
  const { t, el, $ } = OW;
  const capability = decodeURIComponent(location.pathname.split("/").pop() || "");
  let socket = null, backoff = 500, nextId = 1, view = null, stopped = false;
  const pending = new Map();
  // What has been signalled already (a reload signals again only what is still true).
  const told = { near: false, called: null };
  const alerts = []; // for tests: every alert raised, in order
  let smsOn = false;

  document.querySelectorAll("[data-t]").forEach((n) => { n.textContent = t(n.dataset.t); });
  $("#lang").append(OW.langButton());

  function show(text, ok = false) {
    $("#msg").replaceChildren(el("div", { class: ok ? "message ok" : "message", role: "alert" }, text));
  }

  // An alert: on screen always, vibration and a notification where allowed.
  function alert(kind, text) {
    alerts.push({ kind, text });
    // The call is the status itself, highlighted; the near alert is a line of its own.
    if (kind === "near") show(text, true);
    if (navigator.vibrate) navigator.vibrate(kind === "called" ? [400, 200, 400, 200, 400] : [300, 150, 300]);
    if (window.Notification && Notification.permission === "granted") {
      try { new Notification(t("yourTicket") + " " + (view ? view.ticket.number : ""), { body: text, tag: `onewindow-${kind}` }); } catch { /* some phones only notify from a service worker */ }
    }
  }

  const ENDED = ["done", "no_show", "cancelled", "closed"];
  function render() {
    if (!view) return;
    const { ticket: tk, hall } = view;
    $("#hall-name").textContent = hall.name;
    document.title = `${tk.number} · ${hall.name}`;
    $("#number").textContent = tk.number;
    $("#matter").textContent = OW.lang === "en" ? tk.name_en : tk.name_zh;
    const near = OW.texts().terminals.near_ahead ?? 3;
    let status = "";
    if (tk.state === "waiting") {
      const ahead = tk.estimate ? tk.estimate.ahead : 0;
      status = t("peopleAhead").replace("{n}", ahead);
      if (ahead <= near && !told.near) { told.near = true; alert("near", t("nearTurn")); }
    } else if (tk.state === "called") {
      status = t("goToWindow").replace("{w}", tk.window);
      if (told.called !== tk.window) { told.called = tk.window; alert("called", status); }
    } else if (tk.state === "serving") {
      status = `${t("serving")} · ${OW.windowName(tk.window)}`;
    } else if (tk.state === "held") {
      status = t("heldMine");
    } else {
      status = t(`ended_${tk.state}`);
    }
    $("#status").textContent = status;
    $("#status").className = `mobile-status state-${tk.state}`;
    $("#estimate").textContent = tk.state === "waiting" && tk.estimate && tk.estimate.median_ms != null ? OW.waitText(tk.estimate) : "";
    $("#hall-figures").textContent = ENDED.includes(tk.state) ? "" : t("matterWaiting").replace("{n}", hall.waiting);
    if (tk.state !== "waiting") $("#msg").replaceChildren();
    $("#cancel").hidden = !["waiting", "held"].includes(tk.state);
    $("#sms-form").hidden = !OW.texts().terminals.messages || smsOn || tk.state !== "waiting";
    $("#alerts").hidden = !(window.Notification && Notification.permission === "default") || ENDED.includes(tk.state);
    if (hall.notice) $("#hall-figures").textContent += ` · ${hall.notice}`;
    renderNotice(tk.matter);
  }

  function renderNotice(matter) {
    const notice = (OW.texts().terminals.notices || {})[matter];
    const box = $("#notice-box");
    if (!notice || box.dataset.matter === `${matter}:${OW.lang}`) { box.hidden = !notice; return; }
    box.dataset.matter = `${matter}:${OW.lang}`;
    const section = (key, lines) => lines.length === 0 ? [] : [el("h3", {}, t(key)),
      el("ol", { class: `notice-${key}` }, ...lines.map((l) => el("li", {}, OW.lang === "en" ? l.en : l.zh)))];
    box.replaceChildren(el("h2", {}, t("noticeTitle")), ...section("documents", notice.documents), ...section("conditions", notice.conditions));
    box.hidden = false;
  }

  function request(body) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject({ code: "offline" });
    const id = nextId++;
    return new Promise((resolve, reject) => { pending.set(id, { resolve, reject }); socket.send(JSON.stringify({ ...body, id })); });
  }

  function offline(on) {
    let b = $("#ow-offline");
    if (!b) { b = el("div", { id: "ow-offline", class: "offline", role: "status" }); document.body.prepend(b); }
    b.textContent = t("offline");
    b.hidden = !on;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws`);
    socket.onopen = () => socket.send(JSON.stringify({ id: 0, type: "follow", protocol: 1, ticket: capability }));
    socket.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.type === "reply" && msg.id === 0) { backoff = 500; offline(false); }
      else if (msg.type === "ticket_view") { view = msg; render(); }
      else if (msg.type === "error" && msg.id === 0) {
        // Not a ticket of today (mistyped, or yesterday's), or too many wrong ones: say so and stop.
        stopped = true;
        $("#status").textContent = msg.code === "rate_limited" ? OW.errorText(msg.code) : t("unknownTicket");
      } else if (msg.type === "reply" || msg.type === "error") {
        const p = pending.get(msg.id);
        if (p) { pending.delete(msg.id); msg.type === "reply" ? p.resolve(msg) : p.reject(msg); }
      }
    };
    socket.onclose = (e) => {
      for (const [, p] of pending) p.reject({ code: "offline" });
      pending.clear();
      // 1000: the ticket ended and was forgotten; 1008: refused or its day is over.
      if (stopped || e.code === 1008 || e.code === 1000) {
        if (!stopped && view) $("#status").textContent = t("ticketExpired");
        $("#cancel").hidden = true;
        return;
      }
      offline(true);
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }

  $("#sms-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await request({ type: "subscribe", phone: $("#phone").value.trim() });
      smsOn = true; $("#phone").value = ""; show(t("smsOn"), true); render();
    } catch (err) { show(OW.errorText(err.code, err.message)); $("#phone").focus(); }
  });
  $("#alerts").addEventListener("click", async () => {
    await Notification.requestPermission();
    render();
  });
  $("#cancel").addEventListener("click", async () => {
    if (!view || !confirm(t("confirmCancelMine").replace("{n}", view.ticket.number))) return;
    try { await request({ type: "cancel_ticket", ticket: view.ticket.number }); show(t("cancelledMine"), true); $("#status").focus(); }
    catch (e) { show(OW.errorText(e.code, e.message)); }
  });

  window.OWTicket = { alerts, get view() { return view; } };
  OW.loadTexts().then(connect);
})();
