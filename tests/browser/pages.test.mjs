// Browser tests of the terminal pages: headless Debian Chromium (/usr/bin/chromium) driven by
// playwright-core against a real `onewindow serve` (the release binary, or ONEWINDOW_BIN). Every test
// saves screenshots of the pages it used to tests/browser/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = process.env.ONEWINDOW_BIN || resolve(here, "../../target/release/onewindow");
const SHOTS = join(here, "screenshots");
const ID = "11010519491231002X"; // the worked example of GB 11643-1999 (born 1949)

let server, base, data, browser;

function token(device, dir = data) {
  const line = readFileSync(join(dir, "demo-tokens.txt"), "utf8").split("\n").find((l) => l.startsWith(device + " "));
  return line.trim().split(/\s+/)[3];
}

/** `onewindow serve` on the demo hall in `dir`, with `extra` in its environment; returns the process and
 *  its base URL. */
async function serve(dir, extra = {}) {
  const env = { ...process.env, RUST_LOG: "warn", ...extra };
  const proc = spawn(BIN, ["serve", "--listen", "127.0.0.1:0", "--data", dir], { stdio: ["ignore", "pipe", "inherit"], env });
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
async function open(path, device, at = { url: base, dir: data }) {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
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

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
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

/** The hall as the server has it now (`GET /api/state`, supervisor token). */
async function serverState() {
  const res = await fetch(base + "/api/state", { headers: { Authorization: `Bearer ${token("supervisor")}` } });
  assert.equal(res.status, 200);
  return (await res.json()).hall;
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
  const server = comparable(await serverState());
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
  assert.equal(await kiosk.inputValue("#green"), "elderly", "60 or older: the elderly green channel is offered");
  await kiosk.click("[data-matter=social_insurance]");
  await kiosk.waitForSelector("#ticket-number");
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
  await kiosk.waitForSelector("#ticket-estimate");
  // No window serving real estate is staffed: the ticket says how many are ahead instead of a time.
  assert.match(await kiosk.textContent("#ticket-estimate"), /^(前面还有 \d+ 人|预计等候 约 \d+(–\d+)? 分钟)$/);
  await shot(kiosk, "5-kiosk-estimate");

  // Advisory staffing (the demo hall's mode): the wall shows the request with its numbers.
  // Earlier tests leave other matters waiting with no window too: take the first request on the wall,
  // whichever matter it is for.
  await supervisor.waitForSelector("#staffing li[data-window] button", { timeout: 5000 });
  const first = supervisor.locator("#staffing li[data-window]").first();
  const window = await first.getAttribute("data-window");
  const line = await first.textContent();
  const m = /^窗口 (\d+) · (.+?): 等候 \d+/.exec(line);
  assert.ok(m, `a request line with its numbers: ${line}`);
  assert.equal(m[1], window);
  await shot(supervisor, "5-supervisor-request");
  // The wall redraws on every state push: a locator finds the button afresh if it was replaced.
  await supervisor.locator(`#staffing li[data-window="${window}"] button`).click();
  await display.waitForFunction((w) => [...OWDisplay.played, ...OWDisplay.queued].some((a) => a.kind === "window_opened" && String(a.window) === w), window, { timeout: 5000 });
  const text = await display.evaluate((w) => [...OWDisplay.played, ...OWDisplay.queued].find((a) => a.kind === "window_opened" && String(a.window) === w).text, window);
  assert.ok(text.startsWith(`临时窗口 ${window} 已开放，办理 `) && text.includes(m[2]), text);
  assert.match(await display.textContent("#notice"), /临时窗口 \d+ 已开放/);
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
