// onewindow terminals: the shared client. Keeps the device token in localStorage (never in the URL),
// speaks the WebSocket protocol (docs/protocol.md), reconnects with backoff, resumes by seq, shows an
// "offline" banner while disconnected, and switches language (Chinese first, English one tap away).
// The hall view: the snapshot once, then every event folded in (view.js); the hall is asked for again
// only after a gap in seq, never after an event.
"use strict";

const OW = (() => {
  const UI = {
    zh: {
      offline: "连接中断，正在重连…", setup: "设备设置", token: "设备令牌", save: "保存", lang: "English",
      waiting: "等候", people: "人", minutes: "分钟", ahead: "前面", take: "取号", green: "绿色通道",
      declared: "自报", keepGreen: "确认绿色通道", downgrade: "改为普通号",
      none: "无", elderly: "老年人 (60岁以上)", pregnant: "孕妇", military: "现役军人", disabled: "残疾人",
      idnumber: "身份证号 (可选)", age: "年龄", checkin: "预约签到", code: "预约码 (或用上面的身份证号签到)", help: "代书代填 (请求帮助)",
      helpSent: "已通知工作人员，请稍候", print: "打印", yourTicket: "您的号码", issuedAt: "取号时间",
      estimate: "预计等候", callNext: "叫号", recall: "重呼", callNumber: "特呼", start: "开始办理",
      finish: "办结", noShow: "过号", transfer: "转移", hold: "挂起", resumeHeld: "恢复挂起", pause: "暂停",
      resume: "继续", signIn: "签到", signOut: "签退", clerk: "工号", pin: "密码", current: "当前号码",
      queue: "等候队列", oldest: "最长等候", served: "今日办结", window: "窗口", status: "状态",
      matter: "事项", target: "目标", open: "开放", close: "关闭", notice: "公告", post: "发布",
      alerts: "告警", helpRequests: "代办求助", latest: "最新叫号", calls: "最近叫号", nothing: "暂无",
      closed: "已关闭", paused: "暂停", serving: "办理中", called: "已叫号", free: "空闲", standby: "临时窗口",
      done: "完成", ok: "成功", about: "约", peopleAhead: "前面还有 {n} 人", cutOff: "今日已停号",
      staffing: "临时窗口请求", accept: "接受并开放", predicted: "预计等候", unstaffed: "未签到", waitingPeople: "等候人数", waitingCount: "等候 {n} 人",
      outcome: "办理结果", outcomeCompleted: "办结", outcomePending: "容缺受理", outcomeRefused: "不予受理", outcomeAdvised: "咨询解答",
      ticketNumber: "号码", transferTo: "转至事项", transferWindow: "转至窗口号", held: "挂起的号码",
      confirmNoShow: "确定将 {n} 号记为过号吗？", confirmSignOut: "确定签退吗？", waited: "已等候", serviceTime: "办理用时", calledFor: "叫号后",
      ack: "已处理", closeDay: "结束今日", closeDayConfirm: "结束今日：停止取号，所有未办结的号码将结束。确定吗？", skills: "办理事项",
      setSkills: "修改", predictedOver: "预计超时", actualOver: "已超时", greenUnstaffed: "绿色通道窗口无人", longService: "办理时间长",
      longPause: "暂停时间长", clerkLocked: "密码错误已锁定", openWindows: "开放窗口", windowsNow: "现有 {n} 个窗口在办", predictedWait: "预计等候 {m} 分钟",
      rateTitle: "请对本次服务进行评价", reasonTitle: "请选择不满意的原因", thanks: "感谢您的评价！", idle: "欢迎对本窗口的服务进行评价",
      very_satisfied: "非常满意", satisfied: "满意", neutral: "基本满意", dissatisfied: "不满意", very_dissatisfied: "非常不满意",
      greenChoose: "绿色通道：请选择（无需排普通队）", greenNone: "不需要", bookingHint: "当前等候较长。", takeAnyway: "仍要取号",
      ticketAhead: "前面还有 {n} 人", touchToClear: "轻触屏幕返回", cancel: "取消",
      hallDate: "大厅日期", serverDate: "服务器日期", fixDate: "更正为服务器日期",
      exportLag: "向省平台上报滞后", exportEvents: "条待报",
      cases: "差评整改", newBad: "新差评", caseOverdue: "整改超时", assign: "指派", contacted: "已联系", resolveCase: "办结",
      assignTo: "指派给（姓名或工号）", resolution: "整改结果", assignedTo: "已指派", nextStep: "待", due: "截止",
      stepAssign: "指派", stepContact: "联系群众", stepResolve: "办结", commentOptional: "您的意见（可选）", save2: "确定",
      fixDateConfirm: "更正日期将结束大厅当前日期的所有未办结号码，并从 001 重新编号。确定吗？",
      noticeTitle: "一次性告知", documents: "需带材料", conditions: "办理条件", noticeReady: "材料齐全，取号",
      phoneLabel: "手机号（到号短信提醒，可选）", smsConsent: "同意接收本号的到号短信（号码当天结束后删除）",
      smsNeedsConsent: "请先勾选同意接收短信，或清空手机号。", smsOn: "已开启到号短信提醒。",
      smsConsentMobile: "提交即同意接收本号的到号短信；手机号当天结束后删除。", smsSubmit: "短信提醒我",
      scanToFollow: "扫码用手机看进度", matterWaiting: "此事项共 {n} 人在等候", enableAlerts: "开启到号提醒", cancelMine: "取消我的号", confirmCancelMine: "确定取消 {n} 号吗？取消后需重新取号。", cancelledMine: "已取消。",
      nearTurn: "快到您了，请回到大厅等候叫号。", goToWindow: "请到 {w} 号窗口办理", heldMine: "已挂起，请按窗口工作人员的安排办理。",
      ended_done: "已办结，感谢您的耐心。", ended_no_show: "已过号。如需办理请重新取号。", ended_cancelled: "已取消。", ended_closed: "今日办理已结束。",
      unknownTicket: "没有找到这个号（只能查看今天取的号）。", ticketExpired: "这个号已失效。",
      noticeNotReady: "不齐全，先看告知", noticeLater: "请备齐以上材料后再来取号，可打印本告知单带走。", printNotice: "打印告知单", back: "返回",
    },
    en: {
      offline: "Offline — reconnecting…", setup: "Device setup", token: "Device token", save: "Save", lang: "中文",
      waiting: "waiting", people: "", minutes: "min", ahead: "ahead", take: "Take a ticket", green: "Green channel",
      declared: "self-declared", keepGreen: "Confirm green channel", downgrade: "Make it ordinary",
      none: "None", elderly: "Elderly (60+)", pregnant: "Pregnant", military: "Active military", disabled: "Disabled",
      idnumber: "ID number (optional)", age: "Age", checkin: "Appointment check-in", code: "Booking code (or check in with the ID number above)",
      help: "Help me fill the forms", helpSent: "Staff have been told; please wait", print: "Print",
      yourTicket: "Your number", issuedAt: "Issued", estimate: "Estimated wait", callNext: "Call next",
      recall: "Recall", callNumber: "Call number", start: "Start", finish: "Finish", noShow: "No-show",
      transfer: "Transfer", hold: "Hold", resumeHeld: "Resume held", pause: "Pause", resume: "Resume",
      signIn: "Sign in", signOut: "Sign out", clerk: "Clerk", pin: "PIN", current: "Current", queue: "Queue",
      oldest: "Oldest wait", served: "Served today", window: "Window", status: "Status", matter: "Matter",
      target: "Target", open: "Open", close: "Close", notice: "Notice", post: "Post", alerts: "Alerts",
      helpRequests: "Help requests", latest: "Latest call", calls: "Recent calls", nothing: "None",
      closed: "Closed", paused: "Paused", serving: "Serving", called: "Called", free: "Free", standby: "Standby", done: "Done",
      ok: "Done", about: "about", peopleAhead: "{n} people ahead", cutOff: "No more tickets today",
      staffing: "Temporary window requests", accept: "Accept and open", predicted: "Predicted wait", unstaffed: "Unstaffed", waitingPeople: "Waiting", waitingCount: "{n} waiting",
      outcome: "Outcome", outcomeCompleted: "Completed", outcomePending: "Accepted, documents to follow", outcomeRefused: "Not accepted",
      outcomeAdvised: "Advice given", ticketNumber: "Ticket number", transferTo: "Transfer to matter", transferWindow: "to window",
      held: "Held tickets", confirmNoShow: "Record {n} as a no-show?", confirmSignOut: "Sign out?", waited: "Waited",
      serviceTime: "Serving for", calledFor: "Called", ack: "Done", closeDay: "Close the day",
      cases: "Low ratings to rectify", newBad: "New low rating", caseOverdue: "Rectification overdue", assign: "Assign",
      contacted: "Contacted", resolveCase: "Resolve", assignTo: "Assign to (name or staff number)", resolution: "How it was resolved",
      assignedTo: "assigned to", nextStep: "next:", due: "due", stepAssign: "assign", stepContact: "contact the citizen",
      stepResolve: "resolve", commentOptional: "Your comments (optional)", save2: "OK",
      closeDayConfirm: "Closing the day stops issuing and ends every open ticket. Go ahead?", skills: "Matters served", setSkills: "Change",
      predictedOver: "Predicted over target", actualOver: "Over target", greenUnstaffed: "Green-channel window unstaffed",
      longService: "Long service", longPause: "Long pause", clerkLocked: "Locked after wrong PINs", openWindows: "open windows", windowsNow: "{n} windows serving it now",
      predictedWait: "predicted wait {m} min", rateTitle: "Please rate the service you received", reasonTitle: "What went wrong?",
      thanks: "Thank you for your rating!", idle: "Rate this window's service",
      very_satisfied: "Very satisfied", satisfied: "Satisfied", neutral: "Fair", dissatisfied: "Dissatisfied", very_dissatisfied: "Very dissatisfied",
      greenChoose: "Green channel: choose if it applies to you", greenNone: "Not needed", bookingHint: "The wait is long now.",
      takeAnyway: "Take a ticket anyway", ticketAhead: "{n} people ahead", touchToClear: "Touch the screen to go back", cancel: "Cancel",
      hallDate: "Hall date", serverDate: "server date", fixDate: "Correct to the server's date",
      exportLag: "Export to the province is behind", exportEvents: "events waiting",
      fixDateConfirm: "Correcting the date ends every open ticket of the hall's current day and numbers from 001 again. Go ahead?",
      noticeTitle: "What to bring", documents: "Documents to bring", conditions: "Conditions", noticeReady: "I have everything: take a ticket",
      noticeNotReady: "Not everything: read this first", noticeLater: "Please come back for a ticket with everything listed. You can print this list to take with you.",
      printNotice: "Print this list", back: "Back",
      phoneLabel: "Mobile number (text me when my turn is near; optional)", smsConsent: "I agree to texts about this ticket (the number is deleted when the day ends)",
      smsNeedsConsent: "Tick the box to agree to texts, or clear the number.", smsOn: "Texts about your turn are on.",
      smsConsentMobile: "Sending it, you agree to texts about this ticket; the number is deleted when the day ends.", smsSubmit: "Text me",
      scanToFollow: "Scan to follow your turn on your phone", matterWaiting: "{n} waiting for this matter in all", enableAlerts: "Alert me when my turn is near", cancelMine: "Cancel my ticket", confirmCancelMine: "Cancel ticket {n}? You would need a new one.",
      cancelledMine: "Cancelled.", nearTurn: "Your turn is near: please come back to the hall.", goToWindow: "Please go to window {w}",
      heldMine: "On hold: the window's staff will tell you when to come back.", ended_done: "Done. Thank you for waiting.",
      ended_no_show: "Missed when called. Take a new ticket to be served.", ended_cancelled: "Cancelled.", ended_closed: "The hall's day is over.",
      unknownTicket: "No ticket found (only today's tickets can be followed).", ticketExpired: "This ticket is no longer valid.",
    },
  };
  // Plain words for every refusal a terminal can receive (kiosk-protocol/src/codes.rs; a browser test
  // checks that none is missing), and for being offline.
  const ERRORS = {
    zh: {
      offline: "连接中断，正在重连，请稍候再试。", bad_request: "请求有误，请重试；如仍不行请联系工作人员。",
      unsupported_protocol: "终端版本与服务器不符，请联系管理员。", not_authenticated: "终端尚未登录，请稍候。",
      unauthorized: "终端令牌无效，请联系管理员。", forbidden: "本终端无权进行此操作。", rate_limited: "操作过快，请稍候再试。",
      invalid_id_number: "身份证号有误，请检查。", invalid_phone: "手机号有误，请输入11位手机号。",
      subscription_limit: "这个手机号今天提醒的号已经够多了。", storage_unavailable: "系统暂时无法保存，请稍候。",
      unavailable: "系统正在重启，请稍候。", day_not_open: "今日尚未开始办理。", day_already_open: "大厅日期无需更正。",
      day_closed: "今日已停止取号。", outside_hours: "现在不在取号时间。", unknown_matter: "没有这个事项。",
      unknown_window: "没有这个窗口。", unknown_clerk: "工号不存在。", unknown_ticket: "没有这个号码。",
      unknown_appointment: "预约码不存在。", daily_cap_reached: "该事项今日号已取完，请明天再来或预约。",
      duplicate_holder: "该身份证已持有此事项的号码。", green_not_eligible: "根据身份证，年龄未满60岁。",
      appointment_exists: "该预约码已存在。", appointment_slot_invalid: "预约时段无效。", appointment_used: "此预约已签到。",
      appointment_not_today: "此预约不是今天。", appointment_cancelled: "此预约已取消。",
      no_booking_today: "没有找到此身份证今天的预约。", wrong_pin: "密码错误。", not_signed_in: "请先签到。",
      id_required: "此事项须凭身份证取号。", class_not_declared: "此号不是自报的绿色通道。",
      clerk_locked: "密码错误次数过多，已暂时锁定，请联系值班长。", token_revoked: "本设备已被停用，请联系管理员。",
      unknown_case: "没有这个未办结的整改件（可能已办结）。", case_step_done: "这一步已经做过了。", note_required: "请写明整改结果再办结。",
      layout_not_now: "大厅布局暂不能更改，稍后自动生效。",
      already_signed_in: "已经签到。", window_taken: "该窗口已有其他工作人员签到。", clerk_elsewhere: "您已在其他窗口签到，请先在那里签退。",
      window_closed: "窗口已关闭。", window_already_open: "窗口已开放。",
      capacity_reached: "该事项今日已无法在下班前办理，已停止取号，请明天再来或预约。已取号的群众均会办理。",
      no_staffing_request: "此窗口没有待开放的请求。", no_help_request: "该求助已处理。", window_paused: "窗口已暂停，请先继续。", window_not_paused: "窗口没有暂停。",
      window_busy: "请先办结当前号码。", no_current_ticket: "当前没有号码。", queue_empty: "暂无等候。",
      matter_not_served: "本窗口不办理该事项。", ticket_state: "该号码当前不能这样操作。", not_served_here: "该号码不是在本窗口办理的。",
      not_your_ticket: "该号码不属于本窗口。", already_rated: "该号码已评价，谢谢。", transfer_unchanged: "转移目标与现在相同。",
      empty_skills: "窗口至少要办理一个事项。", notice_too_long: "公告太长。", bad_text: "文字含有不允许的字符。",
      not_bookable: "该事项不能网上预约。", date_out_of_range: "该日期不可预约。", no_such_slot: "没有这个预约时段。",
      slot_full: "该时段已约满。", booking_blocked: "多次预约未到，暂停预约。", already_booked: "当天已预约过该事项。",
      key_reused: "预约请求重复但内容不同。",
    },
    en: {
      offline: "Connection lost, reconnecting; please try again in a moment.", bad_request: "The request was not understood; try again, or ask staff.",
      unsupported_protocol: "This terminal does not match the server's version; call the administrator.",
      not_authenticated: "The terminal is not signed on yet; wait a moment.", unauthorized: "This terminal's token is not valid; call the administrator.",
      forbidden: "This terminal may not do that.", rate_limited: "Too fast; please wait a moment.",
      invalid_id_number: "The ID number is not valid.", invalid_phone: "Please give an 11-digit mobile number.",
      subscription_limit: "This number already gets texts for as many tickets as it may today.", storage_unavailable: "The system cannot save right now; please wait.",
      unavailable: "The system is restarting; please wait.", day_not_open: "The day has not started yet.",
      day_already_open: "The hall's date needs no correction.", day_closed: "Ticket issuing has ended for today.",
      outside_hours: "Tickets are not issued now.", unknown_matter: "No such matter.", unknown_window: "No such window.",
      unknown_clerk: "No such clerk number.", unknown_ticket: "No such ticket.", unknown_appointment: "Unknown booking code.",
      daily_cap_reached: "Today's tickets for this matter are all taken. Please come back tomorrow or book.",
      duplicate_holder: "This ID already holds a ticket for this matter.", green_not_eligible: "The ID shows an age under 60.",
      appointment_exists: "That booking code exists already.", appointment_slot_invalid: "The booking's time slot is not valid.",
      appointment_used: "This appointment is already checked in.", appointment_not_today: "This appointment is not today.",
      appointment_cancelled: "This booking was cancelled.", no_booking_today: "No booking with this ID number today.",
      wrong_pin: "Wrong PIN.", not_signed_in: "Sign in first.",
      id_required: "This matter needs an ID card.", class_not_declared: "This ticket's class was not self-declared.",
      clerk_locked: "Too many wrong PINs: locked for now. Ask the supervisor.", token_revoked: "This device was revoked. Ask the administrator.",
      unknown_case: "No open case with that number (resolved already?).", case_step_done: "That step is done already.", note_required: "Say how it was resolved first.",
      layout_not_now: "The layout cannot change now; it will apply by itself.", already_signed_in: "Already signed in.",
      window_taken: "Another clerk is signed in at this window.", clerk_elsewhere: "You are signed in at another window; sign out there first.",
      window_closed: "The window is closed.", window_already_open: "The window is already open.",
      capacity_reached: "No more tickets for this matter today: it could not be served before closing. Please come back tomorrow or book. Everyone holding a ticket will be served.",
      no_staffing_request: "No request to open this window.", no_help_request: "That help request is seen to already.", window_paused: "The window is paused; resume first.",
      window_not_paused: "The window is not paused.", window_busy: "Finish the current ticket first.",
      no_current_ticket: "No current ticket.", queue_empty: "Nobody is waiting.", matter_not_served: "This window does not serve that matter.",
      ticket_state: "That ticket cannot do this now.", not_served_here: "That ticket was not served at this window.",
      not_your_ticket: "That ticket is not this window's.", already_rated: "This ticket is rated already. Thank you.",
      transfer_unchanged: "The transfer goes where the ticket already is.", empty_skills: "A window serves at least one matter.",
      notice_too_long: "The notice is too long.", bad_text: "The text has characters that are not allowed.",
      not_bookable: "This matter cannot be booked online.", date_out_of_range: "That date cannot be booked.",
      no_such_slot: "There is no such time slot.", slot_full: "That time slot is full.",
      booking_blocked: "Booking is paused after too many missed bookings.",
      already_booked: "You already booked this matter that day.", key_reused: "A repeated booking request with other details.",
    },
  };

  const page = document.body.dataset.page;
  let lang = localStorage.getItem("onewindow.lang") || "zh";
  const LOCALES = { zh: "zh-CN", en: "en" };
  const locale = () => LOCALES[lang] || lang;
  // `lang` follows the language shown (screen readers, fonts, hyphenation).
  document.documentElement.lang = locale();
  let socket = null, nextId = 1, lastSeq = null, backoff = 500, online = false, view = null;
  const pending = new Map();
  const handlers = { state: [], event: [], welcome: [], online: [] };
  // The hall's texts and terminal settings (`/api/texts`), with the defaults until they arrive.
  let texts = null;
  const DEFAULT_TEXTS = { languages: [], terminals: { kiosk_clear_s: 20, language_switch_s: 10, window_display_voice: false, rating_reasons: [] } };

  const t = (key) => (UI[lang] && UI[lang][key]) || UI.en[key] || key;
  const errorText = (code, message) => (ERRORS[lang] && ERRORS[lang][code]) || ERRORS.en[code] || `${code}: ${message || ""}`;
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  };
  const tokenKey = () => `onewindow.token.${page}`;

  function banner() {
    let b = $("#ow-offline");
    if (!b) {
      b = el("div", { id: "ow-offline", class: "offline", role: "status" });
      document.body.prepend(b);
    }
    b.textContent = t("offline");
    b.hidden = online;
  }

  function setup() {
    const form = el("form", { class: "setup" },
      el("h2", {}, t("setup")),
      el("label", {}, t("token"), el("input", { id: "ow-token", type: "password", autocomplete: "off", size: "50" })),
      el("button", { type: "submit" }, t("save")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      localStorage.setItem(tokenKey(), $("#ow-token").value.trim());
      location.reload();
    });
    document.body.append(form);
  }

  async function connect() {
    await loadTexts();
    const token = localStorage.getItem(tokenKey());
    if (!token) return setup();
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}/ws`);
    socket.onopen = () => {
      const hello = { id: 0, type: "hello", protocol: 1, token };
      if (lastSeq !== null) hello.since = lastSeq;
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = (m) => receive(JSON.parse(m.data));
    socket.onclose = (e) => {
      online = false;
      banner();
      handlers.online.forEach((f) => f(false));
      for (const [, p] of pending) p.reject({ code: "offline" });
      pending.clear();
      if (e.code === 1008) { localStorage.removeItem(tokenKey()); return setup(); }
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }

  function receive(msg) {
    if (msg.type === "reply" && msg.id === 0) {
      online = true; backoff = 500; banner();
      handlers.welcome.forEach((f) => f(msg.result));
      handlers.online.forEach((f) => f(true));
    } else if (msg.type === "snapshot") {
      // The snapshot includes everything up to its seq: the stream goes on from there.
      lastSeq = msg.seq;
      view = OWView.adopt(msg.hall);
      showSoon();
    } else if (msg.type === "event") {
      if (lastSeq !== null && msg.seq <= lastSeq) return;
      // A gap (events lost in between) is the one time to ask for the whole hall again.
      if (view === null || (lastSeq !== null && msg.seq > lastSeq + 1)) {
        request({ type: "get_state" }).catch(() => {});
      }
      lastSeq = msg.seq;
      if (view) OWView.foldUnsettled(view, msg.event, msg.at);
      handlers.event.forEach((f) => f(msg.event, msg));
      showSoon();
    } else if (msg.type === "estimates") {
      if (view) { OWView.setEstimates(view, msg.matters); showSoon(); }
    } else if (msg.type === "reply" || msg.type === "error") {
      const p = pending.get(msg.id);
      if (p) { pending.delete(msg.id); msg.type === "reply" ? p.resolve(msg) : p.reject(msg); }
      else if (msg.type === "error") console.warn("onewindow error", msg);
    }
  }

  // Pages redraw from the view at most once a frame, however many events arrive.
  let showing = false;
  function showSoon() {
    if (showing || !view) return;
    showing = true;
    const show = () => { showing = false; OWView.settle(view); handlers.state.forEach((f) => f(view, lastSeq)); };
    if (document.hidden) setTimeout(show, 50); else requestAnimationFrame(show);
  }

  function request(body) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject({ code: "offline" });
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ ...body, id }));
    });
  }

  async function loadTexts() {
    if (texts) return texts;
    try {
      const got = await (await fetch("/api/texts")).json();
      texts = { ...DEFAULT_TEXTS, ...got, terminals: { ...DEFAULT_TEXTS.terminals, ...got.terminals } };
    } catch { texts = DEFAULT_TEXTS; }
    return texts;
  }
  // Shows another language without storing the choice (wall displays take turns).
  function setLang(code) {
    lang = code;
    document.documentElement.lang = locale();
  }
  const windowName = (n) => (lang === "zh" ? `${n} 号窗口` : `Window ${n}`);
  // The call text in the current language from the hall's templates.
  function callText(ticket, window, voice = false, code = lang) {
    const l = (texts && texts.languages.find((x) => x.code === code)) || (texts && texts.languages[0]);
    if (!l) return `${ticket} → ${window}`;
    const tpl = voice ? (l.voice || l.call) : l.call;
    return tpl.replaceAll("{ticket}", ticket).replaceAll("{window}", window);
  }
  function voiceLang(code) {
    const l = texts && texts.languages.find((x) => x.code === code);
    return (l && (l.voice_lang || l.code)) || code;
  }

  function langButton() {
    return el("button", { class: "lang", onclick: () => { localStorage.setItem("onewindow.lang", lang === "zh" ? "en" : "zh"); location.reload(); } }, t("lang"));
  }
  // "等候 3 人" / "3 waiting".
  const waitingText = (n) => t("waitingCount").replace("{n}", n);
  const matterName = (m) => (lang === "zh" ? m.name_zh : m.name_en);
  const minutes = (ms) => Math.max(0, Math.round(ms / 60000));
  // "约 12–18 分钟" from a wait estimate; "前面还有 N 人" when the engine has too little to go on.
  function waitText(e) {
    if (!e) return "";
    if (e.median_ms == null) return t("peopleAhead").replace("{n}", e.ahead);
    const lo = minutes(e.median_ms), hi = Math.max(lo, minutes(e.p80_ms));
    const range = lo === hi ? `${lo}` : `${lo}–${hi}`;
    return lang === "zh" ? `${t("estimate")} ${t("about")} ${range} ${t("minutes")}` : `${t("estimate")}: ${t("about")} ${range} ${t("minutes")}`;
  }

  // For tests: cut the socket as a network fault would, and stay away `holdMs` before reconnecting.
  const testHooks = {
    drop: (holdMs = 500) => { backoff = holdMs; if (socket) socket.close(4000, "test cut"); },
    view: () => view,
    seq: () => lastSeq,
  };

  return {
    t, errorText, el, $, connect, request, loadTexts, callText, voiceLang, langButton, matterName, minutes, waitText,
    setLang, locale, windowName, waitingText, texts: () => texts || DEFAULT_TEXTS, errorCodes: (language) => Object.keys(ERRORS[language] || {}),
    token: () => localStorage.getItem(tokenKey()),
    on: (kind, f) => handlers[kind].push(f), get lang() { return lang; }, get online() { return online; },
    testHooks,
  };
})();
