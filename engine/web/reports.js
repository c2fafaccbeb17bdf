"use strict";
// The reports page (supervisor token): a day, month, quarter or year of the hall from `GET /api/report`,
// the same numbers as `onewindow report` (docs/reports.md): the period's KPIs, rows by a grouping with a
// bar chart of their waits (SVG), the rectification cases with where each stands, and the CSV to download;
// below, the window plan for next week as `onewindow-sim plan` last wrote it (`GET /api/plan`).
// The token is the supervisor wall's (same browser), or asked for once and kept like the other pages'.
(() => {
  const { el, $ } = OW;
  const R = {
    zh: {
      title: "报表", period: "时间", by: "分组", show: "查询", csv: "下载 CSV", casesTitle: "差评整改",
      day: "日", month: "月", quarter: "季度", year: "年", none: "不分组", matter: "事项", window: "窗口", clerk: "工号",
      hour: "时段", weekday: "星期", class: "类别", issued: "取号", served: "办结", no_shows: "过号", cancelled: "取消",
      transferred: "转移", closed_unserved: "未办理", wait: "平均等候", wait_p90: "等候 P90", within_target: "目标内",
      handling: "平均办理", utilisation: "窗口利用率", rated: "评价", good_rate: "好评率", bad: "差评", cases_on_time: "整改按时",
      within_printed_p80: "预计准确率 (P80 内)", estimate_error: "预计平均误差", minutes: "分钟", days: "个工作日",
      green_share: "绿色通道", appointments_kept: "预约履约", pauses: "暂停", open: "未办结", onTime: "按时办结", late: "逾期办结",
      ticket: "号码", rating: "评价", reason: "原因", status: "状态", resolution: "整改结果", peaks: "高峰时段", noCases: "本期无差评",
      weekdays: ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
      planTitle: "窗口排班计划（下周）", planSlots: "各时段按目标时间叫号的比例", planWindows: "各时段开放窗口数",
      planNone: "尚无计划。每周用台账备份生成：onewindow-sim plan --config hall.toml --ledger 备份.redb --svg 数据目录/plan",
    },
    en: {
      title: "Reports", period: "Period", by: "Rows by", show: "Show", csv: "Download CSV", casesTitle: "Low ratings and rectification",
      day: "Day", month: "Month", quarter: "Quarter", year: "Year", none: "no rows", matter: "matter", window: "window", clerk: "clerk",
      hour: "hour", weekday: "weekday", class: "class", issued: "Issued", served: "Served", no_shows: "No-shows", cancelled: "Cancelled",
      transferred: "Transferred", closed_unserved: "Unserved", wait: "Mean wait", wait_p90: "Wait P90", within_target: "Within target",
      handling: "Mean handling", utilisation: "Utilisation", rated: "Ratings", good_rate: "Satisfied", bad: "Dissatisfied", cases_on_time: "Cases on time",
      within_printed_p80: "Estimate accuracy (within P80)", estimate_error: "Estimate mean error", minutes: "min", days: "business days",
      green_share: "Green channel", appointments_kept: "Appointments kept", pauses: "Pauses", open: "open", onTime: "resolved on time", late: "resolved late",
      ticket: "Ticket", rating: "Rating", reason: "Reason", status: "Status", resolution: "Resolution", peaks: "Peak hours", noCases: "No low ratings in this period",
      weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
      planTitle: "Window plan (next week)", planSlots: "share called within the target, by half hour", planWindows: "windows open, by half hour",
      planNone: "No plan yet. Make one each week from a ledger backup: onewindow-sim plan --config hall.toml --ledger backup.redb --svg DATA/plan",
    },
  };
  const r = (key) => (R[OW.lang] || R.en)[key] ?? key;
  document.querySelectorAll("[data-r]").forEach((n) => { n.textContent = r(n.dataset.r); });
  document.querySelectorAll("#kind option, #by option").forEach((o) => { o.textContent = r(o.value || "none"); });
  $("#lang").append(OW.langButton());
  const show = (text) => $("#msg").replaceChildren(el("div", { class: "message", role: "alert" }, text));

  // The supervisor wall's token, or this page's own (asked for once, as every page does).
  const token = localStorage.getItem("onewindow.token.reports") || localStorage.getItem("onewindow.token.supervisor");
  function askToken() {
    $("#result").hidden = true;
    const form = el("form", { class: "setup", id: "token-form" },
      el("h2", {}, OW.t("setup")),
      el("label", {}, OW.t("token"), el("input", { id: "ow-token", type: "password", autocomplete: "off", size: "50" })),
      el("button", { type: "submit" }, OW.t("save")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      localStorage.setItem("onewindow.token.reports", $("#ow-token").value.trim());
      location.reload();
    });
    document.querySelector("main").append(form);
    $("#ow-token").focus();
  }
  const pad = (n) => String(n).padStart(2, "0");
  const today = new Date();
  const DEFAULTS = {
    day: `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}`,
    month: `${today.getFullYear()}-${pad(today.getMonth() + 1)}`,
    quarter: `${today.getFullYear()}-Q${Math.floor(today.getMonth() / 3) + 1}`,
    year: `${today.getFullYear()}`,
  };
  const params = new URLSearchParams(location.search);
  $("#kind").value = params.get("kind") || "day";
  $("#value").value = params.get("period") || DEFAULTS[$("#kind").value];
  $("#by").value = params.get("by") || "matter";
  $("#kind").addEventListener("change", () => { $("#value").value = DEFAULTS[$("#kind").value]; });

  const query = (format) => `/api/report?period=${encodeURIComponent($("#value").value.trim())}` +
    ($("#by").value ? `&by=${$("#by").value}` : "") + `&format=${format}`;
  async function fetchReport(format) {
    const res = await fetch(query(format), { headers: { Authorization: `Bearer ${token}` } });
    if (res.status === 401) {
      localStorage.removeItem("onewindow.token.reports");
      if (!$("#token-form")) askToken();
      throw new Error(OW.errorText("unauthorized"));
    }
    if (!res.ok) {
      const body = await res.text();
      let message = body;
      try { message = JSON.parse(body).message; } catch { /* plain text */ }
      throw new Error(message);
    }
    return format === "json" ? res.json() : res.text();
  }

  const pct = (x) => (x == null ? "—" : `${(x * 100).toFixed(1)}%`);
  const min = (s) => (s == null ? "—" : `${(s / 60).toFixed(1)} ${r("minutes")}`);
  const keyName = (by, key) => {
    if (by === "matter") { const m = (window.reportMatters || []).find((x) => x.key === key); return m ? OW.matterName(m) : key; }
    if (by === "window" && key !== "-") return OW.windowName(key);
    if (by === "weekday") return r("weekdays")[["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(key)] || key;
    if (by === "hour") return `${key}:00`;
    return key;
  };
  const ratingName = (x) => OW.t(x);
  const reasonName = (key) => {
    const found = key && OW.texts().terminals.rating_reasons.find((x) => x.key === key);
    return found ? (OW.lang === "zh" ? found.zh : found.en) : key || "";
  };

  // The period's KPIs as labelled figures.
  function kpis(k) {
    const items = [
      ["issued", k.issued], ["served", k.served], ["no_shows", k.no_shows], ["cancelled", k.cancelled], ["transferred", k.transferred],
      ["closed_unserved", k.closed_unserved], ["wait", min(k.wait_mean_s)], ["wait_p90", min(k.wait_p90_s)], ["within_target", pct(k.within_target)],
      ["handling", min(k.handling_mean_s)], ["utilisation", pct(k.utilisation)], ["pauses", k.pauses], ["green_share", pct(k.green_share)],
      ["appointments_kept", pct(k.appointments_kept)], ["rated", k.rated], ["good_rate", pct(k.good_rate)], ["bad", k.bad],
      ["cases_on_time", `${k.cases_on_time} / ${k.cases_opened}`], ["within_printed_p80", pct(k.within_printed_p80)], ["estimate_error", min(k.estimate_error_mean_s)],
    ];
    return items.map(([key, value]) => el("div", { class: "kpi", "data-kpi": key }, el("span", {}, r(key)), el("strong", {}, String(value))));
  }

  // Mean wait by row as horizontal bars, with the row's target share: SVG, no library.
  function chart(rows, by) {
    const data = rows.filter((x) => x.wait_mean_s != null);
    if (!data.length) return [];
    const ns = "http://www.w3.org/2000/svg", bar = 26, labelW = 220, width = 900, maxS = Math.max(...data.map((x) => x.wait_mean_s), 60);
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${data.length * (bar + 8) + 8}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `${r("wait")} · ${r(by)}`);
    data.forEach((x, i) => {
      const y = 8 + i * (bar + 8), w = ((width - labelW - 140) * x.wait_mean_s) / maxS;
      const add = (tag, attrs, text) => { const n = document.createElementNS(ns, tag); for (const [a, v] of Object.entries(attrs)) n.setAttribute(a, v); if (text != null) n.textContent = text; svg.append(n); };
      add("text", { x: labelW - 8, y: y + bar * 0.72, "text-anchor": "end", fill: "#f5f7fa", "font-size": 18 }, keyName(by, x.key));
      add("rect", { x: labelW, y, width: Math.max(w, 1), height: bar, fill: x.within_target != null && x.within_target < 0.8 ? "#ff6b6b" : "#3ecf8e" });
      add("text", { x: labelW + w + 8, y: y + bar * 0.72, fill: "#f5f7fa", "font-size": 18 }, `${min(x.wait_mean_s)} · ${pct(x.within_target)}`);
    });
    return [svg];
  }

  function rowsTable(rows, by) {
    if (!rows.length) return [];
    const cols = [["issued", (x) => x.issued], ["served", (x) => x.served], ["no_shows", (x) => x.no_shows], ["wait", (x) => min(x.wait_mean_s)],
      ["wait_p90", (x) => min(x.wait_p90_s)], ["within_target", (x) => pct(x.within_target)], ["handling", (x) => min(x.handling_mean_s)],
      ["utilisation", (x) => pct(x.utilisation)], ["rated", (x) => x.rated], ["good_rate", (x) => pct(x.good_rate)], ["bad", (x) => x.bad],
      ["within_printed_p80", (x) => pct(x.within_printed_p80)]];
    return [el("tr", {}, el("th", { scope: "col" }, r(by)), ...cols.map(([k]) => el("th", { scope: "col" }, r(k)))),
      ...rows.map((x) => el("tr", { "data-key": x.key }, el("th", { scope: "row" }, keyName(by, x.key)), ...cols.map(([, f]) => el("td", {}, String(f(x))))))];
  }

  function casesTable(cases) {
    if (!cases.length) return [el("tr", {}, el("td", {}, r("noCases")))];
    return [el("tr", {}, ...["#", "ticket", "matter", "window", "rating", "reason", "status", "resolution"].map((k) => el("th", { scope: "col" }, k === "#" ? "#" : r(k)))),
      ...cases.map((c) => el("tr", { "data-case": c.id },
        el("td", {}, c.id), el("td", {}, c.ticket), el("td", {}, keyName("matter", c.matter)), el("td", {}, OW.windowName(c.window)),
        el("td", {}, ratingName(c.rating)), el("td", {}, reasonName(c.reason) + (c.comment ? ` “${c.comment}”` : "")),
        el("td", { class: c.resolved_at && !c.on_time ? "late" : "" }, r(!c.resolved_at ? "open" : c.on_time ? "onTime" : "late")),
        el("td", {}, c.resolution || "")))];
  }

  async function run() {
    if (!token) { askToken(); return; }
    try {
      const rep = await fetchReport("json");
      $("#msg").replaceChildren();
      const by = rep.by || "";
      $("#heading").textContent = `${rep.from} … ${rep.to} · ${rep.days} ${r("days")}`;
      $("#kpis").replaceChildren(...kpis(rep.total));
      $("#chart").replaceChildren(...chart(rep.rows, by));
      $("#rows").replaceChildren(...rowsTable(rep.rows, by));
      $("#cases").replaceChildren(...casesTable(rep.cases));
      const peaks = rep.peaks.map((p) => `${keyName("weekday", p.weekday)} ${pad(p.hour)}:00 (${p.issued_per_day})`).join("、");
      $("#extra").textContent = peaks ? `${r("peaks")}: ${peaks}` : "";
      $("#result").hidden = false;
      history.replaceState(null, "", `?kind=${$("#kind").value}&period=${encodeURIComponent($("#value").value)}&by=${by}`);
    } catch (e) { show(e.message); }
  }
  $("#query").addEventListener("submit", (e) => { e.preventDefault(); run(); });
  $("#csv").addEventListener("click", async () => {
    try {
      const text = await fetchReport("csv");
      // A BOM, so spreadsheet programs read the Chinese keys as UTF-8.
      const link = el("a", { href: URL.createObjectURL(new Blob(["\ufeff", text], { type: "text/csv" })), download: `onewindow-${$("#value").value}.csv` });
      document.body.append(link); link.click(); link.remove();
    } catch (e) { show(e.message); }
  });
  // The window plan `onewindow-sim plan --svg DATA/plan` last wrote: its table and a chart per weekday
  // and kind, fetched with the token and shown as images (an image never runs what it holds).
  async function showPlan() {
    const res = await fetch("/api/plan", { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) return;
    const plan = await res.json();
    $("#plan-none").hidden = plan.charts.length > 0 || plan.table != null;
    $("#plan-none").textContent = r("planNone");
    $("#plan-table").hidden = plan.table == null;
    $("#plan-table").textContent = plan.table || "";
    const figures = await Promise.all(plan.charts.map(async (name) => {
      const m = /^plan-weekday-(\d)-(slots|windows)\.svg$/.exec(name);
      const caption = m ? `${r("weekdays")[Number(m[1]) - 1] || m[1]} · ${r(m[2] === "slots" ? "planSlots" : "planWindows")}` : name;
      const svg = await (await fetch(`/api/plan/${encodeURIComponent(name)}`, { headers: { Authorization: `Bearer ${token}` } })).blob();
      return el("figure", { "data-chart": name },
        el("img", { src: URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" })), alt: caption }),
        el("figcaption", {}, caption));
    }));
    $("#plan-charts").replaceChildren(...figures);
    $("#plan").hidden = false;
  }
  (async () => {
    await OW.loadTexts();
    showPlan().catch((e) => show(e.message));
    // Matter names for the rows, from the hall as the wall sees it (read-only).
    try {
      const state = await (await fetch("/api/state", { headers: { Authorization: `Bearer ${token}` } })).json();
      window.reportMatters = state.hall.matters;
    } catch { window.reportMatters = []; }
    run();
  })();
})();
