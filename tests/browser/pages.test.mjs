// Browser tests of the terminal pages: headless Debian Chromium (/usr/bin/chromium) driven by
// playwright-core against a real `onewindow serve` (the release binary, or ONEWINDOW_BIN). Every test
// saves screenshots of the pages it used to tests/browser/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { createHash, randomBytes } from "node:crypto";
import { chromium } from "playwright-core";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import jsQR from "jsqr";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.ONEWINDOW_BIN || resolve(here, "../../target/release/onewindow");
const SHOTS = join(here, "screenshots");
const ID = "11010519491231002X"; // the worked example of GB 11643-1999 (born 1949)

let server, base, data, browser;

function token(device, dir = data) {
  const line = readFileSync(join(dir, "demo-tokens.txt"), "utf8").split("\n").find((l) => l.startsWith(device + " "));
  return line.trim().split(/\s+/)[3];
}

/** `onewindow serve` on the demo hall (or `args`' `--config`) in `dir`, with `extra` in its environment;
 *  returns the process and its base URL. */
async function serve(dir, extra = {}, args = []) {
  const env = { ...process.env, RUST_LOG: "warn", ...extra };
  const proc = spawn(BIN, ["serve", "--listen", "127.0.0.1:0", "--data", dir, ...args], { stdio: ["ignore", "pipe", "inherit"], env });
  const lines = createInterface({ input: proc.stdout });
  const url = await new Promise((ok, fail) => {
    proc.on("exit", (code) => fail(new Error(`onewindow exited ${code}`)));
    lines.on("line", (line) => { const m = /listening on (\S+)/.exec(line); if (m) ok(`http://${m[1]}`); });
  });
  return { proc, url };
}

const stopped = (proc) => new Promise((ok) => { proc.removeAllListeners("exit"); proc.on("exit", ok); proc.kill("SIGTERM"); });

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  data = mkdtempSync(join(tmpdir(), "onewindow-browser-"));
  ({ proc: server, url: base } = await serve(data));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  rmSync(data, { recursive: true, force: true });
});

/** A page of `path` for `device`, its token already set up as the page's setup form would store it. */
async function open(path, device, at = { url: base, dir: data }, size = { width: 1920, height: 1080 }) {
  const context = await browser.newContext({ viewport: size });
  const page = await context.newPage();
  const pageName = path.split(/[/?]/)[1];
  await page.addInitScript(([key, value]) => localStorage.setItem(key, value), [`onewindow.token.${pageName}`, token(device, at.dir)]);
  // Printing is counted, not done (a kiosk prints through Chromium's --kiosk-printing).
  await page.addInitScript(() => { window.printed = 0; window.print = () => { window.printed += 1; }; });
  page.on("pageerror", (e) => console.error(`${path}: ${e}`));
  await page.goto(at.url + path);
  return page;
}

async function signIn(clerk, window, clerkKey) {
  await clerk.waitForFunction(() => OW.online);
  await clerk.fill("#clerk", clerkKey);
  await clerk.fill("#pin", "1234");
  await clerk.click("#signin button[type=submit]");
  await clerk.waitForSelector(".message.ok");
}

/** Signs `clerkKey` in at the clerk page unless someone already is (tests share the hall). */
async function signedIn(clerk, clerkKey) {
  await clerk.waitForSelector("#signin:not([hidden]), #console:not([hidden])");
  if (await clerk.isVisible("#signin")) await signIn(clerk, null, clerkKey);
  await clerk.waitForSelector("#console:not([hidden])");
}

const DOCS = resolve(here, "../../docs/terminals");
/** A screenshot for the test's record; with DOC_SHOTS=1 also `docs/terminals/DOC.jpg`, the page at its real size. */
async function shot(page, name, doc) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  if (doc && process.env.DOC_SHOTS) await page.screenshot({ path: join(DOCS, `${doc}.jpg`), type: "jpeg", quality: 80 });
}
const announcementsOf = (display, ticket) =>
  display.evaluate((n) => [...OWDisplay.played, ...OWDisplay.queued].filter((a) => a.ticket === n).map((a) => a.kind), ticket);

test("a ticket taken at the kiosk is called at the clerk page and shown and announced on the hall display", { timeout: 60_000 }, async () => {
  const display = await open("/display", "display-hall");
  await display.waitForFunction(() => OW.online && document.querySelector("#latest-call"));

  // The kiosk's one-time setup: the token is typed into the form, kept by the browser.
  const context = await browser.newContext({ viewport: { width: 1280, height: 1024 } });
  const kiosk = await context.newPage();
  await kiosk.goto(base + "/kiosk");
  await kiosk.fill("#ow-token", token("kiosk-1"));
  await kiosk.click(".setup button");
  await kiosk.waitForSelector("[data-matter=tax]");
  assert.ok(!kiosk.url().includes("ow_"), "the token is never in the URL");
  await kiosk.click("[data-matter=tax]");
  const number = (await kiosk.textContent("#ticket-number")).trim();
  assert.match(number, /^E\d{3}$/);
  await shot(kiosk, "1-kiosk-ticket");

  const clerk = await open("/clerk", "clerk-w9");
  await signIn(clerk, 9, "c09");
  await clerk.click("#act-callNext");
  await clerk.waitForFunction((n) => document.querySelector("#current").textContent === n, number);
  // The call is durable and published when the clerk sees it: the display shows it within 1 s.
  await display.waitForFunction((n) => document.querySelector("#latest-call").textContent.includes(n)
    && document.querySelector("#latest-call").textContent.includes("9"), number, { timeout: 1000 });
  assert.deepEqual(await announcementsOf(display, number), ["ticket_called"], "one announcement queued");
  const text = await display.evaluate((n) => OWDisplay.played.concat(OWDisplay.queued).find((a) => a.ticket === n).text, number);
  assert.equal(text, `请 ${number} 号 到 9 号窗口 办理`);
  await shot(clerk, "1-clerk-called");
  await shot(display, "1-display-called");

  await clerk.click("#act-recall");
  await display.waitForFunction((n) => [...OWDisplay.played, ...OWDisplay.queued].filter((a) => a.ticket === n).length === 2, number, { timeout: 5000 });
  assert.deepEqual(await announcementsOf(display, number), ["ticket_called", "ticket_recalled"], "a recall repeats it");
  await shot(display, "1-display-recalled");
  await clerk.click("#act-finish");
  await clerk.waitForFunction(() => document.querySelector("#current").textContent === "—");
});

test("a display whose socket is cut shows both calls made meanwhile once it reconnects", { timeout: 60_000 }, async () => {
  const display = await open("/display", "display-hall");
  await display.waitForFunction(() => OW.online && document.querySelector("#latest-call"));
  const kiosk = await open("/kiosk", "kiosk-2");
  await kiosk.waitForSelector("[data-matter=pickup]");
  const clerk = await open("/clerk", "clerk-w11");
  await signIn(clerk, 11, "c11");

  await display.evaluate(() => OW.testHooks.drop(4000));
  await display.waitForSelector("#ow-offline:not([hidden])");
  await shot(display, "2-display-offline");
  const numbers = [];
  for (let i = 0; i < 2; i++) {
    if (await kiosk.isVisible("#ticket-overlay")) await kiosk.click("#ticket-overlay");
    await kiosk.click("[data-matter=pickup]");
    await kiosk.waitForFunction((prev) => { const n = document.querySelector("#ticket-number"); return n && n.textContent !== prev; }, numbers[numbers.length - 1] || "");
    numbers.push((await kiosk.textContent("#ticket-number")).trim());
  }
  for (const n of numbers) {
    await clerk.click("#act-callNext");
    await clerk.waitForFunction((x) => document.querySelector("#current").textContent === x, n);
    await clerk.click("#act-finish");
    await clerk.waitForFunction(() => document.querySelector("#current").textContent === "—");
  }
  assert.equal(await display.evaluate(() => OW.online), false, "the calls happened while the display was cut off");
  await display.waitForFunction(() => OW.online, null, { timeout: 15_000 });
  await display.waitForFunction((ns) => ns.every((n) => document.querySelector(`#calls li[data-ticket="${n}"]`)), numbers, { timeout: 5000 });
  for (const n of numbers) assert.deepEqual(await announcementsOf(display, n), ["ticket_called"], `${n} announced after the reconnect`);
  await shot(display, "2-display-resumed");
});

/** The server's latest `snapshot` message (`seq` and `hall`). */
async function serverSnapshot() {
  const res = await fetch(base + "/api/state", { headers: { Authorization: `Bearer ${token("supervisor")}` } });
  assert.equal(res.status, 200);
  return res.json();
}

/** A view as compared: without what the server derives from its clock (estimates, its date). */
function comparable(hall) {
  const h = structuredClone(hall);
  delete h.server_date; delete h.clock_warning;
  for (const m of h.matters) delete m.estimate;
  for (const w of h.windows) { w.current ??= null; w.current_since ??= null; w.clerk ??= null; }
  for (const t of h.tickets || []) t.window ??= null;
  for (const m of h.matters) m.oldest_issued_at ??= null;
  h.cut_off ??= [];
  h.locked ??= [];
  h.cases ??= [];
  return h;
}

test("a display page folds 50 calls into its view without asking for the hall, and converges after a cut", { timeout: 120_000 }, async () => {
  const display = await open("/display", "display-hall");
  const sent = [];
  display.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(JSON.parse(f.payload))));
  await display.waitForFunction(() => OW.online && document.querySelector("#latest-call"));
  // Two kiosks: each may issue 30 tickets a minute.
  const kiosks = [await open("/kiosk", "kiosk-1"), await open("/kiosk", "kiosk-2")];
  for (const k of kiosks) await k.waitForFunction(() => OW.online);
  const clerk = await open("/clerk", "clerk-w12");
  await signIn(clerk, 12, "c12");
  const ask = (page, body) => page.evaluate((b) => OW.request(b).then((r) => r.result, (e) => { throw new Error(e.code); }), body);
  let last = null;
  for (let i = 0; i < 50; i++) {
    await ask(kiosks[i % 2], { type: "issue_ticket", matter: "inquiry" });
    last = (await ask(clerk, { type: "call_next", window: 12 })).ticket.number;
    await ask(clerk, { type: "finish", window: 12, outcome: "completed" });
    if (i === 30) {
      // A cut in the middle: the page resumes with `since` and folds what it missed.
      await display.evaluate(() => OW.testHooks.drop(300));
    }
  }
  await display.waitForFunction((n) => OW.online && document.querySelector("#latest-call").textContent.includes(n), last, { timeout: 15_000 });
  const kinds = sent.map((m) => m.type);
  assert.equal(kinds.filter((k) => k === "get_state").length, 0, `requests sent: ${kinds.join(", ")}`);
  assert.ok(kinds.filter((k) => k === "hello").length >= 2, "the page reconnected after the cut");
  // Its view is the server's (waiting counts, windows, calls, tickets): nothing was lost or doubled.
  await display.waitForFunction(() => !document.hidden);
  // The last call can reach the page before the finish that follows it: compare once the page has
  // folded every event the server had when asked.
  const snapshot = await serverSnapshot();
  await display.waitForFunction((seq) => OW.testHooks.seq() >= seq, snapshot.seq, { timeout: 15_000 });
  const server = comparable(snapshot.hall);
  const mine = comparable(await display.evaluate(() => OW.testHooks.view()));
  assert.deepEqual(mine, server);
  await shot(display, "7-display-folded");
});

test("a clerk page cannot act on another window", { timeout: 60_000 }, async () => {
  const clerk = await open("/clerk", "clerk-w3");
  await clerk.waitForFunction(() => OW.online);
  const refused = await clerk.evaluate(() => OW.request({ type: "call_next", window: 4 }).then(() => "accepted", (e) => e.code));
  assert.equal(refused, "forbidden");
  const signIn = await clerk.evaluate(() => OW.request({ type: "sign_in", window: 4, clerk: "c04", pin: "1234" }).then(() => "accepted", (e) => e.code));
  assert.equal(signIn, "forbidden");
  await shot(clerk, "3-clerk-other-window");
});

test("the kiosk says so plainly when the same ID already holds a ticket for the matter", { timeout: 60_000 }, async () => {
  const kiosk = await open("/kiosk", "kiosk-1");
  await kiosk.waitForSelector("[data-matter=social_insurance]");
  await kiosk.fill("#id-number", ID);
  assert.match(await kiosk.textContent("#age"), /\d+/, "the age is read from the ID's birth date");
  assert.equal(await kiosk.getAttribute("[data-green=elderly]", "aria-pressed"), "true", "60 or older: the elderly green channel is chosen");
  await kiosk.click("[data-matter=social_insurance]");
  await kiosk.waitForSelector("#ticket-number");
  await kiosk.click("#ticket-overlay"); // the next touch clears the ticket
  await kiosk.fill("#id-number", ID);
  await kiosk.click("[data-matter=social_insurance]");
  await kiosk.waitForSelector(".message");
  assert.match(await kiosk.textContent(".message"), /该身份证已持有此事项的号码/);
  await shot(kiosk, "4-kiosk-duplicate");
});

test("a queue with no window asks for a temporary window; the supervisor accepts and the hall display announces it", { timeout: 60_000 }, async () => {
  const display = await open("/display", "display-hall");
  await display.waitForFunction(() => OW.online && document.querySelector("#latest-call"));
  const supervisor = await open("/supervisor", "supervisor");
  await supervisor.waitForFunction(() => OW.online && document.querySelector("#staffing li"));
  const kiosk = await open("/kiosk", "kiosk-2");
  await kiosk.waitForSelector("[data-matter=real_estate] .estimate");
  await kiosk.click("[data-matter=real_estate]");
  await kiosk.click("#notice-ready"); // 一次性告知 first: the next test looks at it
  await kiosk.waitForSelector("#ticket-ahead");
  // The people ahead, always; a time only when a window serving the matter is staffed.
  assert.match(await kiosk.textContent("#ticket-ahead"), /^前面还有 \d+ 人$/);
  if (await kiosk.$("#ticket-estimate")) assert.match(await kiosk.textContent("#ticket-estimate"), /^预计等候 约 \d+(–\d+)? 分钟$/);
  await shot(kiosk, "5-kiosk-estimate");

  // Advisory staffing (the demo hall's mode): the wall shows the request with its numbers. Social
  // insurance has no staffed window here (standby window 15 serves it): a ticket of it asks for one.
  // Earlier tests may leave other matters waiting with no window too: take the first request on the wall,
  // whichever matter it is for.
  await kiosk.evaluate(() => OW.request({ type: "issue_ticket", matter: "social_insurance" }));
  await supervisor.waitForSelector("#staffing li[data-window] button", { timeout: 15_000 }).catch(async (e) => {
    const why = await supervisor.evaluate(() => JSON.stringify({ requests: OW.testHooks.view().staffing_requests,
      matters: OW.testHooks.view().matters.map((m) => [m.key, m.waiting, m.active_windows]), shown: document.querySelector("#staffing").textContent }));
    throw new Error(`${e.message}\n${why}`);
  });
  const first = supervisor.locator("#staffing li[data-window]").first();
  const window = await first.getAttribute("data-window");
  const line = await first.textContent();
  // Plain wording with today's numbers: "14 号窗口 · 不动产登记: 等候 3 人 · 现有 1 个窗口在办 · 预计等候 …".
  const m = /^(\d+) 号窗口 · (.+?): 等候 \d+ 人 · 现有 \d+ 个窗口在办 · 预计等候 /.exec(line);
  assert.ok(m, `a request line with its numbers: ${line}`);
  assert.equal(m[1], window);
  await shot(supervisor, "5-supervisor-request");
  // The wall redraws on every state push: a locator finds the button afresh if it was replaced.
  await supervisor.locator(`#staffing li[data-window="${window}"] button`).click();
  await display.waitForFunction((w) => [...OWDisplay.played, ...OWDisplay.queued].some((a) => a.kind === "window_opened" && String(a.window) === w), window, { timeout: 5000 });
  // Said in each of the hall's languages, Mandarin first; shown in the language on screen.
  const parts = await display.evaluate((w) => [...OWDisplay.played, ...OWDisplay.queued].find((a) => a.kind === "window_opened" && String(a.window) === w).parts, window);
  assert.equal(parts[0].code, "zh");
  assert.ok(parts[0].text.startsWith(`临时窗口 ${window} 已开放，办理 `) && parts[0].text.includes(m[2]), parts[0].text);
  const lang = await display.evaluate(() => document.documentElement.lang);
  assert.match(await display.textContent("#notice"), lang === "en" ? /Temporary window \d+ is now open/ : /临时窗口 \d+ 已开放/);
  await shot(display, "5-display-window-opened");
});

test("a hall day left in the future shows on the supervisor wall, which corrects it to today", { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "onewindow-future-"));
  // The server once ran with its wall clock a year ahead (libfaketime, from Debian's faketime package),
  // opened that day and issued a ticket.
  const libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
  assert.ok(existsSync(libfaketime), `${libfaketime} (apt install faketime)`);
  const ahead = await serve(dir, { LD_PRELOAD: libfaketime, FAKETIME: "+365d", FAKETIME_DONT_FAKE_MONOTONIC: "1" });
  const ws = ahead.url.replace("http", "ws") + "/ws";
  const issued = execFileSync(BIN, ["send", "--url", ws, "--token", token("kiosk-1", dir), '{"type":"issue_ticket","matter":"tax"}']).toString();
  assert.match(issued, /"number":"E001"/);
  await stopped(ahead.proc);

  // Back on the right clock, the hall's day is ahead of the server's date: the wall says so.
  const now = await serve(dir);
  try {
    const supervisor = await open("/supervisor", "supervisor", { url: now.url, dir });
    await supervisor.waitForSelector("#date-warning button");
    const warning = await supervisor.textContent("#date-warning");
    const [hallDate, serverDate] = warning.match(/\d{4}-\d{2}-\d{2}/g);
    assert.ok(warning.startsWith("大厅日期") && hallDate > serverDate, `the hall's day is shown ahead of the server's: ${warning}`);
    await shot(supervisor, "6-supervisor-date-ahead");
    // Correcting ends that day's tickets: the wall asks first; a refusal changes nothing.
    supervisor.once("dialog", (d) => d.dismiss());
    await supervisor.click("#date-warning button");
    await supervisor.waitForTimeout(500);
    assert.ok(await supervisor.$("#date-warning"), "dismissed: nothing changed");
    supervisor.once("dialog", (d) => d.accept());
    await supervisor.click("#date-warning button");
    await supervisor.waitForFunction(() => !document.querySelector("#date-warning"));
    await supervisor.waitForSelector(".message.ok");
    await shot(supervisor, "6-supervisor-date-corrected");
    const today = execFileSync(BIN, ["send", "--url", now.url.replace("http", "ws") + "/ws", "--token", token("kiosk-1", dir),
      '{"type":"issue_ticket","matter":"tax"}']).toString();
    assert.match(today, /"number":"E001"/, "today's numbering starts again");
  } finally {
    await stopped(now.proc);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("one tap at the kiosk takes the ticket and prints it, and the printout is the ticket alone", { timeout: 60_000 }, async () => {
  const kiosk = await open("/kiosk", "kiosk-2");
  await kiosk.waitForSelector("[data-matter=tax]");
  await kiosk.click("[data-matter=tax]");
  await kiosk.waitForSelector("#ticket-number");
  assert.equal(await kiosk.evaluate(() => window.printed), 1, "printed on the first tap");
  await kiosk.emulateMedia({ media: "print" });
  assert.ok(await kiosk.isVisible("#ticket-number"), "the printout shows the number");
  assert.match(await kiosk.textContent("#ticket"), /E\d{3}/);
  assert.ok(!(await kiosk.isVisible("#matters")), "not the matter buttons");
  assert.ok(!(await kiosk.isVisible("header")), "nor the header");
  assert.ok(!(await kiosk.isVisible("#ticket button")), "nor the print button");
  await shot(kiosk, "7-kiosk-printout");
  await kiosk.emulateMedia({ media: "screen" });
});

// The sizes of real hall hardware.
const KIOSK = { width: 1080, height: 1920 }, KIOSK_SMALL = { width: 800, height: 1280 }, CLERK = { width: 1366, height: 768 };
const PAD = { width: 1280, height: 800 };
const px = (page, sel, prop = "fontSize") => page.$eval(sel, (n, p) => parseFloat(getComputedStyle(n)[p]), prop);
/** Takes a ticket at `kiosk` for `matter` over its socket; returns the ticket. */
const take = (kiosk, matter) => kiosk.evaluate((m) => OW.request({ type: "issue_ticket", matter: m }).then((r) => r.result.ticket), matter);

test("the hall display reads from 10 m: the call at least 120 px, rows of 64 px a tenth of the screen high, a call and a recall flash", { timeout: 90_000 }, async () => {
  const display = await open("/display", "display-hall");
  await display.waitForFunction(() => OW.online && document.querySelector("#latest-call"));
  const kiosk = await open("/kiosk", "kiosk-1");
  await kiosk.waitForFunction(() => OW.online);
  const clerk = await open("/clerk", "clerk-w10", undefined, CLERK);
  await signedIn(clerk, "c10");
  const numbers = [];
  const call = () => clerk.evaluate(() => OW.request({ type: "call_next", window: 10 }).then((r) => r.result.ticket.number));
  for (let i = 0; i < 3; i++) {
    await take(kiosk, "social_insurance");
    numbers.push(await call());
    await clerk.evaluate(() => OW.request({ type: "finish", window: 10, outcome: "completed" }));
  }
  const last = numbers[numbers.length - 1];
  await display.waitForFunction((n) => document.querySelector("#latest-call").textContent.includes(n), last);
  assert.ok(await display.evaluate(() => document.querySelector("#latest").classList.contains("flash")), "a new call flashes");
  assert.ok(await px(display, "#latest-call") >= 120, `the latest call is ${await px(display, "#latest-call")} px`);
  const line = await display.$eval("#latest-call", (n) => ({ height: n.getBoundingClientRect().height, size: parseFloat(getComputedStyle(n).fontSize) }));
  assert.ok(line.height < 2 * line.size * 1.3, "the Chinese call fits one line");
  // Measured in one go in the page (a redraw between finding a row and reading it would detach it).
  const rows = await display.evaluate((ns) => ns.map((n) => {
    const li = document.querySelector(`#calls li[data-ticket="${n}"]`);
    return li && { n, size: parseFloat(getComputedStyle(li).fontSize), height: li.getBoundingClientRect().height };
  }), numbers);
  for (const row of rows) assert.ok(row && row.size >= 64 && row.height >= 108, `row: ${JSON.stringify(row)}`);
  assert.equal(await display.$$eval("button", (b) => b.length), 0, "no button on a wall screen");
  assert.ok(await display.evaluate(() => document.scrollingElement.scrollHeight <= innerHeight), "nothing below the fold");
  await shot(display, "8-display-1920x1080", "display");
  // A recall flashes again and says 重呼, without a new number.
  await display.waitForFunction(() => !document.querySelector("#latest").classList.contains("flash"), null, { timeout: 10_000 });
  await take(kiosk, "social_insurance");
  const next = await call();
  await display.waitForFunction((n) => document.querySelector("#latest-call").textContent.includes(n), next);
  await display.waitForFunction(() => !document.querySelector("#latest").classList.contains("flash"), null, { timeout: 10_000 });
  await clerk.evaluate(() => OW.request({ type: "recall", window: 10 }));
  await display.waitForFunction(() => document.querySelector("#latest").classList.contains("flash") && !document.querySelector("#recall-badge").hidden);
  const lang = await display.evaluate(() => document.documentElement.lang);
  assert.equal(await display.textContent("#recall-badge"), lang === "en" ? "Recall" : "重呼");
  await shot(display, "8-display-recall", "display-recall");
  await clerk.evaluate(() => OW.request({ type: "finish", window: 10, outcome: "completed" }));
  // The hall's languages take turns on their own; lang follows.
  // One wait for the language and the text together: read apart, the next switch could fall between.
  const englishCall = await display.waitForFunction(() => {
    const text = document.querySelector("#latest-call").textContent;
    return document.documentElement.lang === "en" && /^Ticket \w+ → Window \d+$/.test(text) && text;
  }, null, { timeout: 15_000 });
  assert.match(await englishCall.jsonValue(), /^Ticket \w+ → Window \d+$/);
  assert.ok(await px(display, "#latest-call") >= 120, "English is as large");
  const english = await display.$eval("#latest-call", (n) => ({ height: n.getBoundingClientRect().height, size: parseFloat(getComputedStyle(n).fontSize) }));
  assert.ok(english.height < 2 * english.size * 1.3, "the English call fits one line too");
  await shot(display, "8-display-english", "display-english");
});

test("the window display shows its window, the number served and the clerk's 工号 (not the name), silently", { timeout: 60_000 }, async () => {
  const win = await open("/display?window=10", "display-hall");
  await win.waitForFunction(() => OW.online && document.querySelector("#window-number").textContent);
  const kiosk = await open("/kiosk", "kiosk-1");
  await kiosk.waitForFunction(() => OW.online);
  const clerk = await open("/clerk", "clerk-w10", undefined, CLERK);
  await signedIn(clerk, "c10");
  const ticket = await take(kiosk, "tax");
  await clerk.evaluate(() => OW.request({ type: "call_next", window: 10 }));
  const called = await win.waitForFunction(() => document.querySelector("#window-current").textContent !== "—").then(() => win.textContent("#window-current"));
  assert.match(called, /^[A-Z]\d{3}$/);
  assert.equal(await win.textContent("#window-number"), "10 号窗口");
  assert.equal(await win.textContent("#window-clerk"), "工号 c10");
  assert.ok(!(await win.textContent("body")).includes("吴刚"), "the clerk's name is not shown");
  assert.ok(await px(win, "#window-current") >= 200, "the number is large");
  await win.waitForTimeout(1500);
  assert.equal(await win.evaluate(() => OWDisplay.played.length + OWDisplay.queued.length), 0, "a window display is silent by default");
  await shot(win, "9-window-display", "window-display");
  await clerk.evaluate(() => OW.request({ type: "finish", window: 10, outcome: "completed" }));
  assert.ok(ticket.number);
});

test("with no speech voice the hall display plays the recorded clips of the call in sequence", { timeout: 60_000 }, async () => {
  const display = await open("/display", "display-hall");
  await display.waitForFunction(() => OW.online);
  // The sequence itself, for numbers read the Chinese and the English way.
  assert.deepEqual(await display.evaluate(() => OWVoice.clipsFor("E001", 9, "zh")),
    ["zh/qing", "zh/E", "zh/0", "zh/0", "zh/1", "zh/hao", "zh/dao", "zh/9", "zh/haochuangkou", "zh/banli"]);
  assert.deepEqual(await display.evaluate(() => OWVoice.clipsFor("A023", 12, "zh", true)),
    ["zh/chonghu", "zh/qing", "zh/A", "zh/0", "zh/2", "zh/3", "zh/hao", "zh/dao", "zh/shi", "zh/2", "zh/haochuangkou", "zh/banli"]);
  assert.deepEqual(await display.evaluate(() => OWVoice.clipsFor("B105", 21, "en")),
    ["en/ticket", "en/B", "en/1", "en/0", "en/5", "en/please_go_to_window", "en/20", "en/1"]);
  const kiosk = await open("/kiosk", "kiosk-2");
  await kiosk.waitForFunction(() => OW.online);
  const clerk = await open("/clerk", "clerk-w11", undefined, CLERK);
  await signedIn(clerk, "c11");
  const ticket = await take(kiosk, "inquiry");
  const urls = [];
  display.on("request", (r) => { if (r.url().includes("/voice/")) urls.push(new URL(r.url()).pathname); });
  const number = await clerk.evaluate(() => OW.request({ type: "call_next", window: 11 }).then((r) => r.result.ticket.number));
  await display.waitForFunction((n) => OWDisplay.played.some((a) => a.ticket === n && a.parts[0].spoken), number, { timeout: 30_000 });
  const entry = await display.evaluate((n) => OWDisplay.played.find((a) => a.ticket === n), number);
  assert.equal(entry.parts[0].spoken, "clips", "headless Chromium has no Chinese voice: clips");
  const expected = await display.evaluate((n) => OWVoice.clipsFor(n, 11, "zh"), number);
  assert.deepEqual(entry.parts[0].clips, expected);
  await display.waitForFunction((n) => OWDisplay.played.find((a) => a.ticket === n).parts[0].played.length === OWDisplay.played.find((a) => a.ticket === n).parts[0].clips.length, number, { timeout: 30_000 });
  assert.deepEqual(await display.evaluate((n) => OWDisplay.played.find((a) => a.ticket === n).parts[0].played, number), expected, "played in order");
  assert.ok(urls.length > 0 && urls.every((u) => /^\/voice\/(zh|en)\/\w+\.wav$/.test(u)), `fetched from /voice: ${urls.join(" ")}`);
  for (const c of new Set(expected)) {
    const res = await fetch(`${base}/voice/${c}.wav`);
    assert.equal(res.status, 200, c);
    assert.equal(Buffer.from(await res.arrayBuffer()).subarray(0, 4).toString(), "RIFF", `${c} is a WAV file`);
  }
  await clerk.evaluate(() => OW.request({ type: "finish", window: 11, outcome: "completed" }));
  assert.ok(ticket.number);
});

test("the clerk console follows the work: N right after signing in with Enter calls, one primary action per state, outcomes, held tickets, the transfer choice kept", { timeout: 90_000 }, async () => {
  const clerk = await open("/clerk", "clerk-w8", undefined, CLERK);
  await clerk.waitForSelector("#signin:not([hidden])");
  assert.ok(await clerk.isHidden("#console"), "signed out: only the sign-in form");
  assert.equal(await clerk.$eval("#pin", (i) => i.labels.length), 1, "inputs are labelled");
  const kiosk = await open("/kiosk", "kiosk-1");
  await kiosk.waitForFunction(() => OW.online);
  await take(kiosk, "tax");
  await take(kiosk, "tax");
  const current = () => clerk.textContent("#current");
  await clerk.fill("#clerk", "c08");
  await clerk.fill("#pin", "1234");
  await clerk.press("#pin", "Enter");
  await clerk.waitForSelector("#console:not([hidden])");
  assert.ok(await clerk.isHidden("#signin"), "the form goes once signed in");
  assert.equal(await clerk.evaluate(() => document.activeElement.id), "act-callNext", "focus on the primary action");
  await clerk.keyboard.press("n");
  await clerk.waitForFunction(() => document.querySelector("#current").textContent !== "—");
  const first = { number: await current() };
  assert.equal(await clerk.inputValue("#pin"), "", "the N went to the console, not the PIN field");
  assert.equal(await clerk.textContent("#primary button"), "开始办理S", "called: the primary action is to start");
  assert.match(await clerk.textContent("#current-detail"), /(涉税服务|社保医保).*已等候 \d+ 分钟/);
  await shot(clerk, "10-clerk-called", "clerk");
  // The transfer choice survives an update of the hall (a new ticket pushes the state).
  await clerk.selectOption("#transfer-matter", "social_insurance");
  await take(kiosk, "inquiry");
  await clerk.waitForTimeout(500);
  assert.equal(await clerk.inputValue("#transfer-matter"), "social_insurance");
  // 过号 asks first; a refusal changes nothing.
  clerk.once("dialog", (d) => d.dismiss());
  await clerk.keyboard.press("x");
  await clerk.waitForTimeout(300);
  assert.equal(await clerk.textContent("#current"), first.number, "dismissed: still called");
  await clerk.keyboard.press("s");
  await clerk.waitForFunction(() => document.querySelector("#primary button").id === "act-finish");
  assert.match(await clerk.textContent("#service-timer"), /办理用时 \d+:\d\d/);
  // Finish with 容缺受理 (documents to follow): the outcome reaches the hall.
  const outcomes = [];
  const display = await open("/display", "display-hall");
  await display.waitForFunction(() => OW.online);
  await display.evaluate(() => { window.finished = []; OW.on("event", (e) => { if (e.kind === "service_finished") window.finished.push(e); }); });
  await clerk.check("input[name=outcome][value=pending]");
  await clerk.click("#act-finish");
  await display.waitForFunction((n) => window.finished.some((e) => e.ticket === n), first.number);
  outcomes.push(...await display.evaluate(() => window.finished.map((e) => e.outcome)));
  assert.deepEqual(outcomes, ["pending"]);
  // Held tickets are listed and resumable.
  await clerk.waitForFunction(() => document.querySelector("#primary button").id === "act-callNext");
  await clerk.keyboard.press("n");
  await clerk.waitForFunction((n) => !["—", n].includes(document.querySelector("#current").textContent), first.number);
  const second = { number: await current() };
  await clerk.keyboard.press("s");
  await clerk.waitForFunction(() => document.querySelector("#primary button").id === "act-finish");
  await clerk.keyboard.press("h");
  await clerk.waitForSelector(`#held li[data-ticket="${second.number}"] button:not([disabled])`);
  await shot(clerk, "10-clerk-held", "clerk-held");
  await clerk.click(`#held li[data-ticket="${second.number}"] button`);
  await clerk.waitForFunction(() => !document.querySelector("#held li[data-ticket]"));
  await clerk.keyboard.press("n");
  await clerk.waitForFunction((n) => document.querySelector("#current").textContent === n, second.number);
  await clerk.keyboard.press("f");
  await clerk.waitForFunction(() => document.querySelector("#current").textContent === "—");
  // A reload keeps the clerk signed in: the console, not a blank form.
  await clerk.reload();
  await clerk.waitForSelector("#console:not([hidden])");
  assert.ok(await clerk.isHidden("#signin"));
  // 签退 asks first.
  clerk.once("dialog", (d) => d.accept());
  await clerk.click("#act-signOut");
  await clerk.waitForSelector("#signin:not([hidden])");
});

test("the supervisor wall fits 1920×1080 without scrolling, colours the windows, ranks alerts, answers help and changes skills", { timeout: 90_000 }, async () => {
  const wall = await open("/supervisor", "supervisor");
  await wall.waitForFunction(() => OW.online && document.querySelectorAll("#windows .tile").length === 16);
  const kiosk = await open("/kiosk", "kiosk-2");
  await kiosk.waitForFunction(() => OW.online);
  await kiosk.evaluate(() => OW.request({ type: "request_help" }));
  await wall.waitForSelector('#help li[data-kiosk="kiosk-2"] button');
  const size = await wall.evaluate(() => ({ scroll: document.scrollingElement.scrollHeight, inner: innerHeight, width: document.scrollingElement.scrollWidth }));
  assert.ok(size.scroll <= size.inner && size.width <= 1920, `no scrolling: ${JSON.stringify(size)}`);
  const states = await wall.$$eval("#windows .tile", (tiles) => tiles.map((t) => [...t.classList].find((c) => c.startsWith("state-"))));
  assert.ok(states.includes("state-unstaffed") && states.includes("state-closed"), states.join());
  const colours = await wall.$$eval("#windows .tile", (tiles) => new Set(tiles.map((t) => getComputedStyle(t).backgroundColor)).size);
  assert.ok(colours >= 2, "states have colours");
  // Alerts are ranked, red before amber; the unstaffed green channel is one.
  const ranks = await wall.$$eval("#alerts li.alert", (l) => l.map((x) => Number(x.className.match(/rank-(\d)/)[1])));
  assert.deepEqual(ranks, [...ranks].sort(), "ranked");
  assert.match(await wall.textContent("#alerts"), /绿色通道窗口无人/);
  assert.ok(await px(wall, "#matters td") >= 18, "readable from 3 m");
  await shot(wall, "11-supervisor-1920x1080", "supervisor");
  // The focus stays put across the wall's redraws (every 5 s and on every event).
  await wall.focus("#notice");
  await take(kiosk, "inquiry");
  await wall.waitForTimeout(5500);
  assert.equal(await wall.evaluate(() => document.activeElement.id), "notice", "focus kept");
  await wall.click('#help li[data-kiosk="kiosk-2"] button');
  await wall.waitForFunction(() => !document.querySelector('#help li[data-kiosk="kiosk-2"]'));
  // Skills: window 12 also takes tax, through the dialog.
  await wall.click('#windows .tile[data-window="12"] .tile-actions button');
  await wall.waitForSelector("#skills-dialog[open]");
  await wall.check('#skills-list input[value="tax"]');
  await shot(wall, "11-supervisor-skills", "supervisor-skills");
  await wall.click("#skills-save");
  await wall.waitForFunction(() => OW.testHooks.view().windows.find((w) => w.number === 12).matters.includes("tax"));
  await wall.evaluate(() => OW.request({ type: "set_skills", window: 12, matters: ["pickup", "inquiry", "employment"] }));
});

test("wrong PINs lock a clerk: the console says so and the supervisor wall shows until when; a green ticket taken without an ID shows 自报 to the clerk, who downgrades it", { timeout: 90_000 }, async () => {
  const wall = await open("/supervisor", "supervisor");
  await wall.waitForFunction(() => OW.online);
  const locked = await open("/clerk", "clerk-w6", undefined, CLERK);
  await locked.waitForFunction(() => OW.online);
  // Each answer is awaited: the message is cleared before each try and shows that try's answer.
  const attempt = async (pin) => {
    await locked.evaluate(() => document.querySelector("#msg").replaceChildren());
    await locked.fill("#clerk", "c06");
    await locked.fill("#pin", pin);
    await locked.click("#signin button[type=submit]");
    await locked.waitForSelector("#message");
    return locked.textContent("#message");
  };
  for (let i = 1; i < 5; i++) assert.match(await attempt("0000"), /密码错误/, `wrong PIN ${i}`);
  assert.match(await attempt("0000"), /锁定/, "the fifth wrong PIN says the clerk is locked");
  assert.match(await attempt("1234"), /锁定/, "the right PIN is not even checked while locked");
  assert.ok(await locked.isVisible("#signin"), "not even the right PIN signs in while locked");
  await wall.waitForSelector("#locked-c06");
  assert.match(await wall.textContent("#locked-c06"), /c06 → \d\d:\d\d/, "the wall says who and until when");
  await shot(wall, "19-supervisor-clerk-locked");

  const kiosk = await open("/kiosk", "kiosk-2");
  await kiosk.waitForFunction(() => OW.online);
  const ticket = await kiosk.evaluate(() => OW.request({ type: "issue_ticket", matter: "tax", green: "pregnant" }).then((r) => r.result.ticket));
  assert.equal(ticket.declared, true, "a green channel without an ID is self-declared");
  const clerk = await open("/clerk", "clerk-w2", undefined, CLERK);
  await signedIn(clerk, "c02");
  await clerk.fill("#number", ticket.number);
  await clerk.click("#act-callNumber");
  // The chip, or the refusal the console shows (said in the failure, should there be one).
  await clerk.waitForFunction(() => document.querySelector("#current-declared") || document.querySelector("#msg .message:not(.ok)"));
  const refusal = await clerk.evaluate(() => document.querySelector("#msg").textContent);
  assert.ok(await clerk.$("#current-declared"), `自报 shown (console says "${refusal}", current ${await clerk.textContent("#current")})`);
  assert.equal(await clerk.textContent("#current-declared"), "自报");
  assert.ok(await clerk.isVisible("#current-green"), "marked green until the clerk decides");
  await shot(clerk, "19-clerk-self-declared");
  await clerk.click("#downgrade");
  await clerk.waitForFunction(() => !document.querySelector("#current-declared") && !document.querySelector("#current-green"));
  await clerk.click("#act-finish");
  await clerk.waitForFunction(() => document.querySelector("#current").textContent === "—");
});

test("a rating from the evaluator pad reaches the ledger, with the reason asked after 不满意", { timeout: 60_000 }, async () => {
  const pad = await open("/evaluator", "evaluator-w7", undefined, PAD);
  await pad.waitForFunction(() => OW.online);
  await shot(pad, "12-evaluator-idle");
  const display = await open("/display", "display-hall");
  await display.waitForFunction(() => OW.online);
  await display.evaluate(() => { window.rated = []; OW.on("event", (e, m) => { if (e.kind === "ticket_rated") window.rated.push({ ...e, seq: m.seq }); }); });
  const kiosk = await open("/kiosk", "kiosk-1");
  await kiosk.waitForFunction(() => OW.online);
  const clerk = await open("/clerk", "clerk-w7", undefined, CLERK);
  await signedIn(clerk, "c07");
  const ticket = await take(kiosk, "employment");
  const called = await clerk.evaluate(() => OW.request({ type: "call_next", window: 7 }).then((r) => r.result.ticket.number));
  await clerk.evaluate(() => OW.request({ type: "finish", window: 7, outcome: "completed" }));
  await pad.waitForSelector("#rate:not([hidden])");
  assert.equal(await pad.textContent("#rate-ticket"), called);
  const levels = await pad.$$eval("#levels button", (b) => b.map((x) => ({ text: x.textContent, height: x.getBoundingClientRect().height })));
  assert.deepEqual(levels.map((l) => l.text), ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]);
  assert.ok(levels.every((l) => l.height >= 120), "large buttons");
  await shot(pad, "12-evaluator-rate", "evaluator");
  await pad.click("[data-level=dissatisfied]");
  await pad.waitForSelector("#reasons-box:not([hidden])");
  await shot(pad, "12-evaluator-reason", "evaluator-reason");
  await pad.click("[data-reason=long_wait]");
  await pad.waitForSelector("#thanks:not([hidden])");
  // Published after it is durable: the event seen is in the ledger.
  await display.waitForFunction((n) => window.rated.some((e) => e.ticket === n), called);
  const rated = await display.evaluate((n) => window.rated.find((e) => e.ticket === n), called);
  assert.equal(rated.rating, "dissatisfied");
  assert.equal(rated.reason, "long_wait");
  const again = await pad.evaluate((n) => OW.request({ type: "rate", window: 7, ticket: n, rating: "satisfied" }).then(() => "accepted", (e) => e.code), called);
  assert.equal(again, "already_rated", "once per ticket");
  const bad = await pad.evaluate((n) => OW.request({ type: "rate", window: 7, ticket: n, rating: "dissatisfied", reason: "nonsense" }).then(() => "accepted", (e) => e.code), called);
  assert.equal(bad, "bad_request", "a reason not on the hall's list is refused");
  await pad.waitForSelector("#idle:not([hidden])", { timeout: 10_000 });
  assert.ok(ticket.number);
});

test("a 不满意 with a reason on the pad raises an alert and opens a case on the wall; the supervisor follows it up to resolved, and the day's report shows the rating and the case", { timeout: 90_000 }, async () => {
  const wall = await open("/supervisor", "supervisor");
  await wall.waitForFunction(() => OW.online);
  const pad = await open("/evaluator", "evaluator-w8", undefined, PAD);
  await pad.waitForFunction(() => OW.online);
  const kiosk = await open("/kiosk", "kiosk-1");
  await kiosk.waitForFunction(() => OW.online);
  const clerk = await open("/clerk", "clerk-w8", undefined, CLERK);
  await signedIn(clerk, "c08");
  const ticket = await take(kiosk, "social_insurance");
  await clerk.evaluate((n) => OW.request({ type: "call_number", window: 8, ticket: n }), ticket.number);
  await clerk.evaluate(() => OW.request({ type: "finish", window: 8, outcome: "completed" }));
  await pad.waitForSelector("#rate:not([hidden])");
  await pad.click("[data-level=dissatisfied]");
  await pad.waitForSelector("#reasons-box:not([hidden])");
  await pad.fill("#comment", "等了很久没人解释");
  await pad.click("[data-reason=long_wait]");
  await pad.waitForSelector("#thanks:not([hidden])");

  // The wall: an alert for the new 差评, and the case with what the citizen said.
  const li = await wall.waitForSelector(`#cases li[data-case]:has-text("${ticket.number}")`);
  const id = await li.getAttribute("data-case");
  const alert = await wall.waitForSelector(`#case-alert-${id}`);
  assert.match(await alert.textContent(), new RegExp(`新差评 · #${id} ${ticket.number} 不满意 等候时间长`));
  assert.match(await li.textContent(), /不满意 等候时间长 “等了很久没人解释” · 待 指派/);
  await shot(wall, "20-supervisor-case", "supervisor-case");
  // Assigned: the alert goes (nothing is overdue); the case says to whom.
  await wall.click(`#cases li[data-case="${id}"] [data-step=assigned]`);
  await wall.waitForSelector("#case-dialog[open]");
  assert.equal(await wall.evaluate(() => document.activeElement.id), "case-text", "the dialog's field has the focus");
  await wall.fill("#case-text", "王科长");
  await wall.click("#case-save");
  await wall.waitForFunction((n) => /已指派 王科长/.test(document.querySelector(`#cases li[data-case="${n}"]`).textContent), id);
  await wall.waitForFunction((n) => !document.querySelector(`#case-alert-${n}`), id);
  await wall.click(`#cases li[data-case="${id}"] [data-step=contacted]`);
  await wall.waitForFunction((n) => !document.querySelector(`#cases li[data-case="${n}"] [data-step=contacted]`), id);
  // Resolving needs a note: an empty one is not sent.
  await wall.click(`#cases li[data-case="${id}"] [data-step=resolved]`);
  await wall.waitForSelector("#case-dialog[open]");
  await wall.click("#case-save");
  assert.ok(await wall.isVisible("#case-dialog[open]"), "an empty resolution is not accepted");
  await wall.fill("#case-text", "已电话致歉；社保窗口增设叫号提示");
  await wall.click("#case-save");
  await wall.waitForFunction((n) => !document.querySelector(`#cases li[data-case="${n}"]`), id);

  // The day's report, by window: the rating counted, the case resolved on time with its note, and the CSV.
  const date = await wall.evaluate(() => OW.testHooks.view().date);
  const report = await open(`/reports?kind=day&period=${date}&by=window`, "supervisor", undefined, { width: 1400, height: 1000 });
  await report.waitForSelector("#result:not([hidden])");
  const row = await report.textContent(`#cases tr[data-case="${id}"]`);
  for (const part of [ticket.number, "8 号窗口", "不满意", "等候时间长", "按时办结", "已电话致歉；社保窗口增设叫号提示"]) {
    assert.ok(row.includes(part), `the report's case row has ${part}: ${row}`);
  }
  assert.ok(Number(await report.textContent("[data-kpi=bad] strong")) >= 1, "the 差评 is counted");
  const w8 = await report.$$eval("#rows tr[data-key='8'] td", (cells) => cells.map((c) => c.textContent));
  assert.ok(Number(w8[0]) >= 1 && Number(w8[10]) >= 1, `window 8 issued and its 差评: ${w8}`);
  assert.ok(await report.$("#chart svg rect"), "a chart of the waits");
  await shot(report, "20-reports", "reports");
  const [download] = await Promise.all([report.waitForEvent("download"), report.click("#csv")]);
  const csv = readFileSync(await download.path(), "utf8");
  assert.match(csv.split("\n")[0], /^\ufeff?window,issued,served,/);
  assert.ok(csv.split("\n").some((l) => l.startsWith("8,")), "window 8 has its row");
  // A browser that never held the wall's token is asked for one, once, like every page.
  const fresh = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  await fresh.goto(`${base}/reports?kind=day&period=${date}`);
  await fresh.waitForSelector("#token-form");
  assert.equal(await fresh.evaluate(() => document.activeElement.id), "ow-token", "the token field has the focus");
  await fresh.fill("#ow-token", token("supervisor"));
  await fresh.click("#token-form button[type=submit]");
  await fresh.waitForSelector("#result:not([hidden])");
  assert.ok(Number(await fresh.textContent("[data-kpi=bad] strong")) >= 1, "the same report once the token is given");
  const axe = resolve(here, "node_modules/axe-core/axe.min.js");
  await report.addScriptTag({ path: axe });
  const result = await report.evaluate(() => axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`), [], "/reports: axe-core");
});

test("the reports page shows the window plan onewindow-sim wrote into DATA/plan: its table and a captioned chart per weekday", { timeout: 60_000 }, async () => {
  const size = { width: 1400, height: 1000 };
  const empty = await open("/reports", "supervisor", undefined, size);
  await empty.waitForSelector("#plan:not([hidden])");
  assert.ok(await empty.isVisible("#plan-none"), "no plan yet: said so");
  assert.match(await empty.textContent("#plan-none"), /onewindow-sim plan .*--svg/, "with the command that makes one");
  // A plan as `onewindow-sim plan --svg DATA/plan` leaves it (sim-cli's tests check the binary writes
  // these files): the table, and charts drawn by the simulator's chart code.
  const dir = join(data, "plan");
  mkdirSync(dir, { recursive: true });
  const table = "history 2026-11-02 to 2026-11-29; goal: every half hour ≥ 80% called within 20 min\n\nMonday (4 days of history): 181.0 window-hours\n";
  writeFileSync(join(dir, "plan.txt"), table);
  writeFileSync(join(dir, "plan-weekday-1-slots.svg"), readFileSync(resolve(here, "../../docs/policies/hall-day-800-plan-slots.svg")));
  writeFileSync(join(dir, "plan-weekday-1-windows.svg"), readFileSync(resolve(here, "../../docs/policies/hall-day-800-plan-windows.svg")));
  const page = await open("/reports", "supervisor", undefined, size);
  await page.waitForSelector("#plan:not([hidden]) figure img");
  assert.ok(!(await page.isVisible("#plan-none")), "a plan: no 'no plan' line");
  assert.equal(await page.textContent("#plan-table"), table);
  const captions = await page.$$eval("#plan-charts figcaption", (f) => f.map((x) => x.textContent));
  assert.deepEqual(captions, ["周一 · 各时段按目标时间叫号的比例", "周一 · 各时段开放窗口数"]);
  // Each chart is drawn (decoded, a readable width on the page) and named for a screen reader.
  await page.waitForFunction(() => [...document.querySelectorAll("#plan-charts img")].every((i) => i.complete && i.naturalWidth > 0));
  const shown = await page.$$eval("#plan-charts img", (imgs) => imgs.map((i) => ({ alt: i.alt, width: i.getBoundingClientRect().width })));
  assert.deepEqual(shown.map((i) => i.alt), captions);
  assert.ok(shown.every((i) => i.width >= 500), `charts wide enough to read: ${JSON.stringify(shown)}`);
  await page.click("#lang button");
  await page.waitForFunction(() => document.querySelector("#plan-title").textContent === "Window plan (next week)");
  await shot(page, "20-reports-plan");
  rmSync(dir, { recursive: true, force: true });
});

test("一次性告知: a matter's documents and conditions show before its ticket; 不齐全 issues nothing and prints the list; 材料齐全 takes the ticket", { timeout: 60_000 }, async () => {
  const kiosk = await open("/kiosk", "kiosk-1", undefined, KIOSK);
  await kiosk.waitForSelector("[data-matter=real_estate] .estimate");
  const waiting = () => kiosk.evaluate(() => OW.testHooks.view().matters.find((m) => m.key === "real_estate").waiting);
  const before = await waiting();
  await kiosk.click("[data-matter=real_estate]");
  await kiosk.waitForSelector("#notice-overlay:not([hidden])");
  assert.equal(await kiosk.textContent("#notice-title"), "一次性告知 · 不动产登记");
  const documents = await kiosk.$$eval(".notice-documents li", (l) => l.map((x) => x.textContent));
  assert.deepEqual(documents.slice(0, 2), ["身份证原件（买卖双方）", "不动产权证书"]);
  assert.match(await kiosk.textContent(".notice-conditions"), /房屋未被查封/);
  assert.equal(await kiosk.evaluate(() => document.activeElement.id), "notice-ready", "focus on 材料齐全，取号");
  const size = await kiosk.$eval(".notice-documents li", (n) => parseFloat(getComputedStyle(n).fontSize));
  assert.ok(size >= 24, `the list is read standing at a kiosk: ${size}px`);
  await shot(kiosk, "15-kiosk-notice", "kiosk-notice");
  // 不齐全: no ticket; the list stays with a print button (focused) and the way back.
  await kiosk.click("#notice-not-ready");
  assert.match(await kiosk.textContent(".notice-later"), /请备齐以上材料后再来取号/);
  assert.equal(await kiosk.evaluate(() => document.activeElement.id), "notice-print");
  await kiosk.click("#notice-print");
  assert.equal(await kiosk.evaluate(() => window.printed), 1, "the list printed");
  await kiosk.emulateMedia({ media: "print" });
  assert.ok(await kiosk.isVisible(".notice-documents"), "the printout is the list");
  assert.ok(!(await kiosk.isVisible("#matters")) && !(await kiosk.isVisible("#notice-print")), "and nothing else");
  await kiosk.emulateMedia({ media: "screen" });
  await kiosk.click("text=返回");
  await kiosk.waitForSelector("#notice-overlay", { state: "hidden" });
  assert.equal(await kiosk.evaluate(() => document.activeElement.dataset.matter), "real_estate", "focus back on the matter");
  assert.equal(await waiting(), before, "no ticket was issued");
  assert.ok(!(await kiosk.isVisible("#ticket-overlay")));
  // In English the list is English; 材料齐全 takes the ticket.
  await kiosk.click("#lang button"); // reloads the page in English
  await kiosk.waitForFunction(() => OW.lang === "en" && document.querySelector("[data-matter=real_estate] .estimate"));
  await kiosk.click("[data-matter=real_estate]");
  assert.match(await kiosk.textContent(".notice-documents"), /Real-estate title certificate/);
  await kiosk.click("#notice-ready");
  await kiosk.waitForSelector("#ticket-number");
  await kiosk.waitForFunction((n) => OW.testHooks.view().matters.find((m) => m.key === "real_estate").waiting === n, before + 1);
  // A matter without a notice takes its ticket at once.
  await kiosk.click("#ticket-overlay");
  await kiosk.click("[data-matter=tax]");
  await kiosk.waitForSelector("#ticket-number");
  assert.ok(await kiosk.isHidden("#notice-overlay"));
});

test("the kiosk's printout at 80 mm holds the number and the matter as text, and the screen clears on the next touch", { timeout: 60_000 }, async () => {
  const kiosk = await open("/kiosk", "kiosk-2", undefined, KIOSK);
  await kiosk.waitForSelector("[data-matter=business]");
  await shot(kiosk, "13-kiosk-1080x1920", "kiosk");
  await kiosk.click("[data-green=pregnant]");
  await kiosk.click("[data-matter=business]");
  await kiosk.click("#notice-ready");
  await kiosk.waitForSelector("#ticket-number");
  const number = (await kiosk.textContent("#ticket-number")).trim();
  assert.equal(await kiosk.evaluate(() => document.activeElement.id), "ticket", "focus on the ticket");
  const text = await kiosk.textContent("#ticket");
  assert.ok(!/前面 \d+ 人.*前面还有/.test(text), "people ahead said once");
  assert.ok(await kiosk.$("#ticket-qr path"), "a QR code");
  // The QR holds the ticket's mobile page, by its unguessable capability (the mobile test scans it).
  assert.match(await kiosk.getAttribute("#ticket-qr", "data-url"), new RegExp(`^${base}/t/[0-9a-f]{48}$`));
  await shot(kiosk, "13-kiosk-ticket", "kiosk-ticket");
  const pdf = await kiosk.pdf({ width: "80mm", preferCSSPageSize: false, printBackground: true });
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false }).promise;
  const page = await doc.getPage(1);
  const widthMm = page.getViewport({ scale: 1 }).width / 72 * 25.4;
  assert.ok(Math.abs(widthMm - 80) < 1, `80 mm wide: ${widthMm}`);
  const printed = (await page.getTextContent()).items.map((i) => i.str).join("");
  assert.ok(printed.includes(number), `the number in the PDF: ${printed}`);
  assert.ok(printed.replace(/\s/g, "").includes("企业登记"), `the matter in the PDF: ${printed}`);
  assert.ok(printed.includes("示范政务服务大厅") && !printed.includes("取号机"), "the ticket alone");
  await kiosk.click("#ticket-overlay");
  await kiosk.waitForSelector("#ticket-overlay", { state: "hidden" });
  assert.equal(await kiosk.evaluate(() => document.activeElement.dataset.matter !== undefined), true, "focus back on the matters");
  // The smaller kiosk uses its screen too.
  const small = await open("/kiosk", "kiosk-1", undefined, KIOSK_SMALL);
  await small.waitForSelector("[data-matter=pickup]");
  const used = await small.evaluate(() => document.querySelector("#matters").getBoundingClientRect().bottom / innerHeight);
  assert.ok(used > 0.6, `the portrait screen is used: ${used}`);
  await shot(small, "13-kiosk-800x1280", "kiosk-800x1280");
});

/** A hall config: the demo hall with `extra` keys in its `[terminals]` table, and a kiosk, a supervisor and a
 *  clerk device; returns its path and tokens. */
/** The kiosk page of a configured hall at `url`, with its token (printing does nothing). */
async function configuredKiosk(url, token) {
  const context = await browser.newContext({ viewport: KIOSK });
  const kiosk = await context.newPage();
  await kiosk.addInitScript((t) => { localStorage.setItem("onewindow.token.kiosk", t); window.print = () => {}; }, token);
  await kiosk.goto(url + "/kiosk");
  return kiosk;
}

function configured(dir, extra, tables = "") {
  const tokens = { kiosk: randomBytes(20).toString("hex"), supervisor: randomBytes(20).toString("hex"), clerk: randomBytes(20).toString("hex") };
  const hash = (t) => `sha256:${createHash("sha256").update(t).digest("hex")}`;
  const demo = readFileSync(resolve(here, "../../docs/hall.example.toml"), "utf8");
  const keys = new Set(extra.split("\n").map((l) => l.split("=")[0].trim()));
  // The demo's own values of those keys give way to the test's.
  const kept = demo.split("\n").filter((l) => !keys.has(l.split("=")[0].trim())).join("\n");
  const toml = kept.replace("[terminals]\n", `[terminals]\n${extra}\n`) + "\n" +
    `[[device]]\nname = "kiosk-9"\nrole = "kiosk"\ntoken_hash = "${hash(tokens.kiosk)}"\n` +
    `[[device]]\nname = "wall"\nrole = "supervisor"\ntoken_hash = "${hash(tokens.supervisor)}"\n` +
    `[[device]]\nname = "clerk-1"\nrole = "clerk"\nwindows = [1]\ntoken_hash = "${hash(tokens.clerk)}"\n` + tables;
  const path = join(dir, "hall.toml");
  writeFileSync(path, toml);
  return { path, tokens };
}

test("a hall's [terminals] settings: the kiosk clears the ticket after kiosk_clear_s and suggests booking past a long estimate; the hall's own voice clips come first", { timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "onewindow-terminals-"));
  // The hall recorded its own 请; the other clips stay the shipped ones.
  const voice = join(dir, "our-voice");
  mkdirSync(join(voice, "zh"), { recursive: true });
  writeFileSync(join(voice, "zh", "qing.wav"), "RIFF our own recording");
  const { path, tokens } = configured(dir, `voice_clips = "${voice}"\nkiosk_clear_s = 5\nbooking_hint_after_min = 1\nbooking_hint_zh = "可在一网通办预约后再来"\nbooking_hint_en = "Book online and come back"\nprint_notice = true`);
  const { proc, url } = await serve(dir, {}, ["--config", path]);
  try {
    const kiosk = await configuredKiosk(url, tokens.kiosk);
    await kiosk.waitForFunction(() => OW.online);
    // Window 1 (real estate, 20 minutes a citizen) is staffed; with three waiting a new ticket's estimate
    // passes a minute: the kiosk suggests booking, on the matter and on the ticket.
    const ws = url.replace("http", "ws") + "/ws";
    const send = (token, body) => execFileSync(BIN, ["send", "--url", ws, "--token", token, JSON.stringify(body)]).toString();
    assert.match(send(tokens.clerk, { type: "sign_in", window: 1, clerk: "c01", pin: "1234" }), /"kind":"ok"/);
    for (let i = 0; i < 3; i++) await kiosk.evaluate(() => OW.request({ type: "issue_ticket", matter: "real_estate" }));
    await kiosk.waitForSelector("[data-matter=real_estate] .hint", { timeout: 40_000 });
    assert.match(await kiosk.textContent("[data-matter=real_estate] .hint"), /当前等候较长。 可在一网通办预约后再来/);
    await kiosk.click("[data-matter=real_estate]");
    await kiosk.click("#notice-ready");
    await kiosk.waitForSelector("#ticket .hint");
    // print_notice: the ticket carries the documents to bring, not the conditions.
    assert.match(await kiosk.textContent("#ticket-notice"), /需带材料.*不动产权证书/);
    assert.ok(!(await kiosk.textContent("#ticket-notice")).includes("办理条件"));
    await shot(kiosk, "14-kiosk-booking-hint", "kiosk-booking-hint");
    // The ticket leaves the screen by itself after kiosk_clear_s (5 s here).
    await kiosk.waitForSelector("#ticket-overlay", { state: "hidden", timeout: 9000 });
    assert.equal(await kiosk.$$eval("#ticket > *", (n) => n.length), 0, "nothing of the last citizen's ticket is left");
    assert.equal(await (await fetch(url + "/voice/zh/qing.wav")).text(), "RIFF our own recording", "the hall's clip first");
    const shipped = Buffer.from(await (await fetch(url + "/voice/zh/hao.wav")).arrayBuffer());
    assert.equal(shipped.subarray(0, 4).toString(), "RIFF", "a clip the hall did not record: the shipped one");
    assert.ok(shipped.length > 1000);
  } finally {
    await stopped(proc);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every error code a terminal can receive has plain words in Chinese and English", async () => {
  const codes = [...readFileSync(resolve(here, "../../kiosk-protocol/src/codes.rs"), "utf8").matchAll(/^\s+\w+ = "(\w+)",$/gm)].map((m) => m[1]);
  assert.ok(codes.length > 40, `codes read: ${codes.length}`);
  const page = await open("/kiosk", "kiosk-1");
  await page.waitForFunction(() => OW.online);
  for (const lang of ["zh", "en"]) {
    const known = await page.evaluate((l) => OW.errorCodes(l), lang);
    const missing = codes.filter((c) => !known.includes(c));
    assert.deepEqual(missing, [], `${lang}: no text for ${missing.join(", ")}`);
  }
});

test("every page: gzip, revalidation (304), a favicon, lang, and no serious or critical axe-core violation", { timeout: 120_000 }, async () => {
  const js = await fetch(base + "/static/common.js", { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(js.headers.get("content-encoding"), "gzip");
  assert.equal(js.headers.get("cache-control"), "no-cache");
  const modified = js.headers.get("last-modified");
  assert.ok(modified, "a validator");
  assert.equal((await fetch(base + "/static/common.js", { headers: { "If-Modified-Since": modified } })).status, 304);
  const icon = await fetch(base + "/favicon.ico");
  assert.equal(icon.status, 200);
  const axe = resolve(here, "node_modules/axe-core/axe.min.js");
  const pages = [["/kiosk", "kiosk-1", KIOSK], ["/display", "display-hall"], ["/display?window=3", "display-hall"], ["/clerk", "clerk-w5", CLERK],
    ["/supervisor", "supervisor"], ["/evaluator", "evaluator-w5", PAD]];
  for (const [path, device, size] of pages) {
    const page = await open(path, device, undefined, size);
    const fetched = [];
    page.on("response", (r) => fetched.push([new URL(r.url()).pathname, r.status()]));
    await page.waitForFunction(() => OW.online);
    await page.waitForTimeout(500);
    assert.deepEqual(fetched.filter(([, s]) => s >= 400), [], `${path}: nothing missing`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), "zh-CN");
    await page.addScriptTag({ path: axe });
    const result = await page.evaluate(() => axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] }));
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`), [], `${path}: axe-core`);
  }
  // English pages say so.
  const en = await open("/kiosk", "kiosk-1");
  await en.evaluate(() => { localStorage.setItem("onewindow.lang", "en"); });
  await en.reload();
  await en.waitForFunction(() => OW.online && document.querySelector("[data-matter=tax] .estimate"));
  assert.equal(await en.evaluate(() => document.documentElement.lang), "en");
  assert.match(await en.textContent("[data-matter=tax] .estimate"), /^\d+ waiting/, "plain English counts");
});

/** What a phone's camera reads from the QR code `selector` on `page`: the SVG drawn at 8 px a module
 *  onto a canvas, its pixels decoded by jsQR (not the attributes the page set). */
async function scanQr(page, selector) {
  const image = await page.$eval(selector, async (svg) => {
    const size = 8 * svg.viewBox.baseVal.width;
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(svg)], { type: "image/svg+xml" }));
    await img.decode();
    const canvas = Object.assign(document.createElement("canvas"), { width: size, height: size });
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0, size, size);
    return { width: size, height: size, data: Array.from(ctx.getImageData(0, 0, size, size).data) };
  });
  const code = jsQR(Uint8ClampedArray.from(image.data), image.width, image.height);
  assert.ok(code, "the QR code decodes");
  return code.data;
}

const PHONE = { width: 390, height: 844 };

test("the mobile ticket, opened on a phone from the kiosk's QR code: people ahead fall as clerks call, the near alert, the call with its window; another ticket cancelled on its phone", { timeout: 120_000 }, async () => {
  // A hall of its own: the shared one's kiosks are near their issue rate, and its queues are the other tests'.
  const dir = mkdtempSync(join(tmpdir(), "onewindow-mobile-"));
  const { proc, url } = await serve(dir);
  try {
    const at = { url, dir };
    const kiosk = await open("/kiosk", "kiosk-1", at, KIOSK);
    await kiosk.waitForSelector("[data-matter=employment]");
    for (let i = 0; i < 5; i++) await take(kiosk, "employment");
    await kiosk.click("[data-matter=employment]");
    await kiosk.waitForSelector("#ticket-qr");
    const mine = (await kiosk.textContent("#ticket-number")).trim();
    const scanned = await scanQr(kiosk, "#ticket-qr");
    assert.match(scanned, new RegExp(`^${url}/t/[0-9a-f]{48}$`), "the QR holds the ticket's unguessable address");
    assert.match(await kiosk.textContent("#ticket"), /扫码用手机看进度/);
    const other = await take(kiosk, "employment");

    // The phone: vibration and notifications recorded (a headless browser has neither).
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await context.addInitScript(() => {
      window.vibrated = []; window.notified = [];
      navigator.vibrate = (pattern) => { window.vibrated.push(pattern); return true; };
      window.Notification = class { static permission = "granted"; static requestPermission() { return Promise.resolve("granted"); }
        constructor(title, options) { window.notified.push({ title, body: options.body }); } };
    });
    const phone = await context.newPage();
    phone.on("pageerror", (e) => console.error(`phone: ${e}`));
    await phone.goto(scanned);
    await phone.waitForFunction((n) => document.querySelector("#number").textContent === n, mine);
    assert.equal(await phone.textContent("#status"), "前面还有 5 人");
    assert.equal(await phone.textContent("#matter"), "就业创业");
    const number = await phone.$eval("#number", (n) => ({ size: parseFloat(getComputedStyle(n).fontSize), scroll: document.documentElement.scrollWidth }));
    assert.ok(number.size >= 64 && number.scroll <= 390, `the number large, nothing wider than the phone: ${JSON.stringify(number)}`);
    assert.deepEqual(await phone.evaluate(() => OWTicket.alerts.map((a) => a.kind)), [], "no alert with 5 ahead");

    const clerk = await open("/clerk", "clerk-w12", at, CLERK);
    await signIn(clerk, 12, "c12");
    const ask = (body) => clerk.evaluate((b) => OW.request(b).then((r) => r.result), body);
    for (let ahead = 4; ahead >= 0; ahead--) {
      await ask({ type: "call_next", window: 12 });
      await ask({ type: "finish", window: 12, outcome: "completed" });
      await phone.waitForFunction((a) => document.querySelector("#status").textContent === `前面还有 ${a} 人`, ahead);
      assert.deepEqual(await phone.evaluate(() => OWTicket.alerts.map((a) => a.kind)), ahead <= 3 ? ["near"] : [], `at ${ahead} ahead`);
    }
    assert.equal(await phone.evaluate(() => window.vibrated.length), 1, "one vibration for the near alert");
    assert.equal(await phone.evaluate(() => window.notified[0].body), "快到您了，请回到大厅等候叫号。");
    await shot(phone, "16-mobile-ticket", "mobile-ticket");
    await phone.addScriptTag({ path: resolve(here, "node_modules/axe-core/axe.min.js") });
    const axe = await phone.evaluate(() => axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] }));
    assert.deepEqual(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id), [], "axe-core");
    const called = await ask({ type: "call_next", window: 12 });
    assert.equal(called.ticket.number, mine);
    await phone.waitForFunction(() => document.querySelector("#status").textContent === "请到 12 号窗口办理");
    assert.deepEqual(await phone.evaluate(() => OWTicket.alerts.map((a) => a.kind)), ["near", "called"]);
    assert.equal(await phone.evaluate(() => window.notified[1].body), "请到 12 号窗口办理");
    assert.ok(await phone.isHidden("#cancel"), "a called ticket is not cancelled from the phone");
    await shot(phone, "16-mobile-ticket-called", "mobile-ticket-called");

    // Another citizen's phone cancels their own ticket.
    const theirs = await context.newPage();
    await theirs.goto(`${url}/t/${other.capability}`);
    await theirs.waitForSelector("#cancel:not([hidden])");
    theirs.once("dialog", (d) => d.accept());
    await theirs.click("#cancel");
    await theirs.waitForFunction(() => document.querySelector("#status").textContent === "已取消。");
    assert.ok(await theirs.isHidden("#cancel"));
    const left = await clerk.evaluate(() => OW.request({ type: "get_state" }).then(() => OW.testHooks.view().matters.find((m) => m.key === "employment").waiting));
    assert.equal(left, 0, "the cancelled ticket left the queue");
    // An address that is no ticket of today says so.
    const wrong = await context.newPage();
    await wrong.goto(`${url}/t/${"0".repeat(48)}`);
    await wrong.waitForFunction(() => document.querySelector("#status").textContent.includes("没有找到这个号"));
  } finally {
    await stopped(proc);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("到号短信 at the kiosk: a number without the consent box issues nothing and says so; with it, the ticket and the hall's gateway gets the message", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "onewindow-sms-"));
  // The hall's gateway: a local receiver that takes every message.
  const received = [];
  const { createServer } = await import("node:http");
  const gateway = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => { body += c; });
    req.on("end", () => { received.push({ headers: req.headers, body: JSON.parse(body) }); res.end("ok"); });
  });
  await new Promise((ok) => gateway.listen(0, "127.0.0.1", ok));
  const secret = join(dir, "gateway-secret");
  writeFileSync(secret, "a secret the hall shares with its gateway");
  const { path, tokens } = configured(dir, "kiosk_clear_s = 60",
    `\n[gateway]\nurl = "http://127.0.0.1:${gateway.address().port}/notify"\nsecret_file = "${secret}"\nsender = "hall-sms"\n`);
  const { proc, url } = await serve(join(dir, "data"), {}, ["--config", path]);
  try {
    const kiosk = await configuredKiosk(url, tokens.kiosk);
    await kiosk.waitForSelector("#sms-box:not([hidden])");
    assert.match(await kiosk.textContent("#sms-box"), /手机号（到号短信提醒，可选）[\s\S]*同意接收本号的到号短信/);
    await kiosk.fill("#phone", "13800138000");
    await kiosk.click("[data-matter=tax]");
    assert.match(await kiosk.textContent("#msg"), /请先勾选同意接收短信/);
    assert.equal(await kiosk.evaluate(() => document.activeElement.id), "consent", "focus on the box to tick");
    assert.ok(await kiosk.isHidden("#ticket-overlay"), "no ticket without consent");
    await kiosk.check("#consent");
    await kiosk.click("[data-matter=tax]");
    await kiosk.waitForSelector("#ticket-number");
    await kiosk.waitForFunction(() => document.querySelector("#msg").textContent.includes("已开启到号短信提醒"));
    assert.equal(await kiosk.inputValue("#phone"), "", "the number leaves the screen");
    // Nobody ahead: the near message goes at the next tick, signed, with the number.
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.equal(received.length, 1, "one message");
    assert.equal(received[0].body.phone, "13800138000");
    assert.equal(received[0].body.kind, "near");
    assert.match(received[0].headers["x-onewindow-signature"], /^sha256=[0-9a-f]{64}$/);
    assert.equal(received[0].headers["idempotency-key"], received[0].body.id);
  } finally {
    await stopped(proc);
    gateway.close();
    rmSync(dir, { recursive: true, force: true });
  }
});


test("the supervisor wall says when the export to the province is behind (NATS unreachable), and the hall works on", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "onewindow-export-"));
  // A port nothing listens on: the province's NATS is down.
  const { createServer } = await import("node:net");
  const probe = createServer();
  await new Promise((ok) => probe.listen(0, "127.0.0.1", ok));
  const dead = probe.address().port;
  await new Promise((ok) => probe.close(ok));
  const { path, tokens } = configured(dir, "kiosk_clear_s = 60",
    `\n[export]\nnats_url = "nats://127.0.0.1:${dead}"\nhall_id = "browser-hall"\nlag_alert_s = 2\n`);
  const { proc, url } = await serve(join(dir, "data"), {}, ["--config", path]);
  try {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const wall = await context.newPage();
    await wall.addInitScript((t) => localStorage.setItem("onewindow.token.supervisor", t), tokens.supervisor);
    wall.on("pageerror", (e) => console.error(`/supervisor: ${e}`));
    await wall.goto(url + "/supervisor");
    const alert = await wall.waitForSelector("#export-lag", { timeout: 30_000 });
    assert.match(await alert.textContent(), /向省平台上报滞后 · \d+ 条待报 · \d+ 分钟/);
    assert.match(await alert.getAttribute("class"), /rank-1/, "amber: behind, not yet ten times the limit");
    // The hall itself is not slowed: the kiosk still issues at once.
    const kiosk = await configuredKiosk(url, tokens.kiosk);
    await kiosk.click("[data-matter=tax]");
    await kiosk.waitForSelector("#ticket-number");
  } finally {
    await stopped(proc);
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the province page: a hall exporting over NATS shows live with its name and city, its drill-down names the matter, the month's KPIs count its ticket; nothing missing, no serious axe-core violation", { timeout: 90_000 }, async () => {
  const PROVINCE = process.env.ONEWINDOW_PROVINCE_BIN || resolve(here, "../../target/release/onewindow-province");
  const dir = mkdtempSync(join(tmpdir(), "onewindow-province-"));
  const { createServer, connect } = await import("node:net");
  const probe = createServer();
  await new Promise((ok) => probe.listen(0, "127.0.0.1", ok));
  const port = probe.address().port;
  await new Promise((ok) => probe.close(ok));
  // One JetStream node (the cluster is engine/tests/province.rs's).
  const nats = spawn("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", join(dir, "nats")], { stdio: "ignore" });
  const procs = [nats];
  try {
    for (let up = false; !up; ) {
      up = await new Promise((ok) => { const s = connect(port, "127.0.0.1", () => { s.end(); ok(true); }); s.on("error", () => ok(false)); });
      if (!up) await new Promise((ok) => setTimeout(ok, 100));
    }
    writeFileSync(join(dir, "halls.toml"), `[[hall]]\nid = "km-wuhua"\nname = "五华区政务服务中心"\ncity = "昆明市"\n`);
    const province = spawn(PROVINCE, ["serve", "--nats", `nats://127.0.0.1:${port}`, "--data", join(dir, "province"),
      "--listen", "127.0.0.1:0", "--halls", join(dir, "halls.toml")], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, RUST_LOG: "warn" } });
    procs.push(province);
    const provinceUrl = await new Promise((ok, fail) => {
      province.on("exit", (code) => fail(new Error(`onewindow-province exited ${code}`)));
      createInterface({ input: province.stdout }).on("line", (l) => { const m = /listening on (\S+)/.exec(l); if (m) ok(`http://${m[1]}`); });
    });
    const { path, tokens } = configured(dir, "kiosk_clear_s = 60",
      `\n[export]\nnats_url = "nats://127.0.0.1:${port}"\nhall_id = "km-wuhua"\n`);
    const hall = await serve(join(dir, "data"), {}, ["--config", path]);
    procs.push(hall.proc);
    const kiosk = await configuredKiosk(hall.url, tokens.kiosk);
    await kiosk.click("[data-matter=tax]");
    await kiosk.waitForSelector("#ticket-number");

    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    page.on("pageerror", (e) => console.error(`province: ${e}`));
    const failed = [];
    page.on("response", (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
    await page.goto(provinceUrl + "/");
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    assert.match(await page.textContent("h1"), /^全省政务服务大厅/, "Chinese first");
    // The hall's row, live: its name and city from halls.toml, one waiting.
    const row = page.locator("#halls tbody tr", { hasText: "五华区政务服务中心" });
    await row.locator("td:nth-child(3)", { hasText: /^1$/ }).waitFor({ timeout: 30_000 });
    assert.equal(await row.locator("td:nth-child(2)").textContent(), "昆明市");
    assert.match(await page.textContent("#summary"), /1 个大厅 halls · 1 人等候 waiting/);
    const size = await row.locator("td").first().evaluate((td) => parseFloat(getComputedStyle(td).fontSize));
    assert.ok(size >= 18, `a desk screen's table reads at 18 px or more (${size} px)`);
    // The drill-down names the matter in Chinese, with its wait against the target.
    await row.locator("a").click();
    await page.locator("#detail", { hasText: "涉税服务" }).waitFor({ timeout: 10_000 });
    const detail = await page.textContent("#detail");
    assert.match(detail, /五华区政务服务中心（昆明市）/);
    assert.match(detail, /涉税服务: 等候 1 人，最长 \d+ 分钟（目标 \d+ 分钟）/, detail);
    // This month's KPIs by hall count the ticket.
    await page.click("#go");
    const kpi = page.locator("#kpi tbody tr", { hasText: "五华区政务服务中心" });
    await kpi.waitFor({ timeout: 10_000 });
    assert.equal(await kpi.locator("td:nth-child(3)").textContent(), "1", "issued");
    await page.screenshot({ path: join(SHOTS, "province.png") });
    assert.deepEqual(failed, [], "nothing the page asked for is missing");
    await page.addScriptTag({ path: resolve(here, "node_modules/axe-core/axe.min.js") });
    const result = await page.evaluate(() => axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa"] }));
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`), [], "axe-core");
  } finally {
    for (const p of procs.reverse()) await stopped(p);
    rmSync(dir, { recursive: true, force: true });
  }
});
