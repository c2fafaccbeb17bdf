// The hall view a terminal keeps: a port, line by line, of `HallView::fold` in
// kiosk-protocol/src/view.rs (the server keeps its own view with that fold; docs/protocol.md, "Keeping
// a view"). A page takes the snapshot once, folds every event into it, and never asks for the hall
// again unless it sees a gap in `seq`.
"use strict";

const OWView = (() => {
  const RECENT_CALLS = 8, QUEUE_SHOWN = 10, HELP_SHOWN = 20;

  // `A009` before `A010` before `B001`.
  function numberKey(n) {
    const m = /^(\D*)(\d*)$/.exec(n) || ["", n, "0"];
    return [m[1], Number(m[2] || 0)];
  }
  function ticketOrder(a, b) {
    if (a.issued_at !== b.issued_at) return a.issued_at - b.issued_at;
    const [pa, sa] = numberKey(a.ticket), [pb, sb] = numberKey(b.ticket);
    if (pa !== pb) return pa < pb ? -1 : 1;
    return sa - sb;
  }

  function insert(view, open) {
    let i = 0;
    while (i < view.tickets.length && ticketOrder(view.tickets[i], open) <= 0) i++;
    view.tickets.splice(i, 0, open);
  }
  const ticket = (view, n) => view.tickets.find((t) => t.ticket === n);
  const drop = (view, n) => { view.tickets = view.tickets.filter((t) => t.ticket !== n); };
  const win = (view, n, f) => { const w = view.windows.find((x) => x.number === n); if (w) f(w); };
  const free = (w) => { w.current = null; w.current_since = null; };
  function wait(view, n, window) {
    const t = ticket(view, n);
    if (t) { t.state = "waiting"; t.window = window ?? null; }
  }
  function release(view, n) {
    const w = view.windows.find((x) => x.number === n);
    if (!w) return;
    const open = w.status !== "closed";
    for (const t of view.tickets) {
      if (t.state === "waiting" && t.window === n && (!open || !w.matters.includes(t.matter))) t.window = null;
    }
  }
  function called(view, n, window, at) {
    view.recent_calls = view.recent_calls.filter((c) => c.ticket !== n);
    view.recent_calls.unshift({ ticket: n, window, at });
    view.recent_calls.length = Math.min(view.recent_calls.length, RECENT_CALLS);
  }

  // Recomputes what follows from tickets and windows, in one pass over the tickets (HallView::settle).
  function settle(view) {
    for (const w of view.windows) {
      const open = w.status !== "closed";
      w.status = !open ? "closed" : w.current ? "serving" : w.paused ? "paused" : "open";
    }
    const byKey = new Map();
    for (const m of view.matters) {
      m.waiting = 0; m.oldest_issued_at = null; m.queue = [];
      m.active_windows = view.windows.filter((w) =>
        w.status !== "closed" && !w.paused && w.clerk && w.matters.includes(m.key)).length;
      byKey.set(m.key, m);
    }
    for (const t of view.tickets) {
      if (t.state !== "waiting" || t.window != null) continue;
      const m = byKey.get(t.matter);
      if (!m) continue;
      m.waiting += 1;
      // Tickets are in issue order: the first one seen waited longest.
      if (m.oldest_issued_at == null) m.oldest_issued_at = t.issued_at;
      if (m.queue.length < QUEUE_SHOWN) m.queue.push(t.ticket);
    }
  }

  // Folds one event (with its `at`) into the view and settles it (HallView::fold).
  function fold(view, e, at) {
    foldUnsettled(view, e, at);
    settle(view);
  }

  // HallView::fold_unsettled: for many events, then one settle.
  function foldUnsettled(view, e, at) {
    switch (e.kind) {
      case "day_opened":
        view.date = e.date; view.tickets = []; view.recent_calls = []; view.staffing_requests = [];
        for (const w of view.windows) {
          w.status = w.kind === "standby" ? "closed" : "open";
          free(w); w.clerk = null; w.paused = false; w.served_today = 0;
          const layout = (e.windows || []).find((l) => l.window === w.number);
          if (layout) w.matters = layout.matters.slice();
        }
        break;
      case "day_closed": view.staffing_requests = []; break;
      case "layout_changed":
        view.matters = e.matters; view.windows = e.windows;
        view.cut_off = view.cut_off.filter((k) => e.matters.some((m) => m.key === k));
        break;
      case "case_opened":
        view.cases = view.cases.filter((c) => c.id !== e.case.id).concat([e.case]);
        break;
      case "case_progressed": {
        if (e.step === "resolved") { view.cases = view.cases.filter((c) => c.id !== e.case); break; }
        const c = view.cases.find((x) => x.id === e.case);
        if (c && e.step === "assigned") c.assigned_to = e.to;
        if (c && e.step === "contacted") c.contacted_at = at;
        break;
      }
      case "clerk_locked":
        view.locked = view.locked.filter((l) => l.clerk !== e.clerk).concat([{ clerk: e.clerk, until: e.until }]);
        break;
      case "ticket_issued":
        insert(view, { ticket: e.ticket.number, matter: e.ticket.matter, issued_at: e.ticket.issued_at, state: "waiting", window: null });
        break;
      case "ticket_cancelled": case "ticket_ended":
        drop(view, e.ticket);
        for (const w of view.windows) if (w.current === e.ticket) free(w);
        break;
      case "clerk_signed_in":
        view.locked = view.locked.filter((l) => l.clerk !== e.clerk);
        win(view, e.window, (w) => { w.clerk = e.clerk; w.paused = false; });
        break;
      case "clerk_signed_out": win(view, e.window, (w) => { w.clerk = null; w.paused = false; }); break;
      case "window_paused": win(view, e.window, (w) => { w.paused = true; }); break;
      case "window_resumed": win(view, e.window, (w) => { w.paused = false; }); break;
      case "ticket_called": {
        // Called back by number after it ended (过号 then 特呼): open again.
        if (!ticket(view, e.ticket)) insert(view, { ticket: e.ticket, matter: e.matter, issued_at: e.issued_at || 0, state: "called", window: null });
        const t = ticket(view, e.ticket);
        t.state = "called"; t.window = e.window; t.matter = e.matter;
        win(view, e.window, (w) => { w.current = e.ticket; w.current_since = at; });
        called(view, e.ticket, e.window, at);
        break;
      }
      case "ticket_recalled":
        win(view, e.window, (w) => { w.current_since = at; });
        called(view, e.ticket, e.window, at);
        break;
      case "service_started": { const t = ticket(view, e.ticket); if (t) t.state = "serving"; break; }
      case "service_finished": {
        drop(view, e.ticket);
        win(view, e.window, (w) => { free(w); w.served_today += 1; });
        const m = view.matters.find((x) => x.key === e.matter);
        if (m) m.aht_ms = e.aht_ms;
        break;
      }
      case "ticket_no_show":
        win(view, e.window, free);
        if (e.requeued) wait(view, e.ticket, null); else drop(view, e.ticket);
        break;
      case "ticket_transferred": {
        win(view, e.from_window, free);
        const t = ticket(view, e.ticket);
        if (t) t.matter = e.matter;
        wait(view, e.ticket, e.to_window);
        break;
      }
      case "ticket_held": {
        win(view, e.window, free);
        const t = ticket(view, e.ticket);
        if (t) { t.state = "held"; t.window = null; }
        break;
      }
      case "held_ticket_resumed": wait(view, e.ticket, e.window); break;
      case "window_opened":
        win(view, e.window, (w) => { w.status = "open"; w.matters = e.matters.slice(); });
        view.staffing_requests = view.staffing_requests.filter((r) => r.window !== e.window);
        break;
      case "window_closed":
        win(view, e.window, (w) => { w.status = "closed"; w.paused = false; });
        release(view, e.window);
        break;
      case "skills_changed":
        win(view, e.window, (w) => { w.matters = e.matters.slice(); });
        release(view, e.window);
        break;
      case "staffing_requested": {
        view.staffing_requests = view.staffing_requests.filter((r) => r.window !== e.request.window);
        view.staffing_requests.push(e.request);
        const place = (n) => view.windows.findIndex((w) => w.number === n);
        view.staffing_requests.sort((a, b) => place(a.window) - place(b.window));
        break;
      }
      case "staffing_withdrawn": view.staffing_requests = view.staffing_requests.filter((r) => r.window !== e.window); break;
      case "help_requested":
        view.help.unshift({ kiosk: e.kiosk, at });
        view.help.length = Math.min(view.help.length, HELP_SHOWN);
        break;
      case "help_answered": view.help = view.help.filter((h) => h.kiosk !== e.kiosk); break;
      case "notice_posted": view.notice = e.text; break;
      case "issuing_stopped":
        view.cut_off = view.cut_off || [];
        if (!view.cut_off.includes(e.matter)) {
          view.cut_off.push(e.matter);
          const place = (k) => view.matters.findIndex((m) => m.key === k);
          view.cut_off.sort((a, b) => place(a) - place(b));
        }
        break;
      case "issuing_resumed": view.cut_off = (view.cut_off || []).filter((m) => m !== e.matter); break;
      default: break;
    }
  }

  // The server's latest wait estimates (an `estimates` message).
  function setEstimates(view, matters) {
    for (const e of matters) {
      const m = view.matters.find((x) => x.key === e.matter);
      if (m) m.estimate = e.estimate ?? null;
    }
  }

  // A snapshot as the fold expects it: optional lists present.
  function adopt(hall) {
    for (const k of ["tickets", "recent_calls", "help", "staffing_requests", "cut_off", "locked", "cases"]) hall[k] = hall[k] || [];
    for (const w of hall.windows) w.paused = !!w.paused;
    return hall;
  }

  return { fold, foldUnsettled, setEstimates, adopt, settle };
})();
