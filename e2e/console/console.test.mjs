// The planner's console in a real browser, through the cluster's load balancer.
// Run by ConsoleIT (./portopt test) against a running cluster:
//   PORTOPT_URL=http://127.0.0.1:8080 PORTOPT_API_KEY=... node --test console.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const BASE = process.env.PORTOPT_URL || "http://127.0.0.1:8080";
const KEY = process.env.PORTOPT_API_KEY;
const OUT = process.env.PORTOPT_SCREENSHOTS || new URL("../target/", import.meta.url).pathname;
assert.ok(KEY, "PORTOPT_API_KEY must name a valid key");
mkdirSync(OUT, { recursive: true });

let browser;
let page;
const consoleErrors = [];

async function api(path, init = {}) {
  const response = await fetch(BASE + path, {
    ...init,
    headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json", ...(init.headers || {}) },
  });
  const body = await response.text();
  assert.equal(response.status, 200, `${path}: ${body}`);
  return JSON.parse(body);
}

/** 250 vessels on 20 berths over five days, with tides, closures, hours and one vessel no berth can take. */
function bigRequest(seed) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const t0 = Date.parse("2026-03-02T00:00:00Z");
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  const berths = [];
  for (let b = 1; b <= 20; b++) {
    const berth = { id: `Q${String(b).padStart(2, "0")}`, lengthM: 220 + 10 * b, depthM: 11 + (b % 6) };
    if (b % 5 === 0) berth.closures = [{ from: iso(t0 + (30 + b) * 3600e3), to: iso(t0 + (36 + b) * 3600e3) }];
    if (b === 7) berth.opensAt = iso(t0 + 12 * 3600e3);
    berths.push(berth);
  }
  const vessels = [];
  for (let v = 1; v <= 250; v++) {
    vessels.push({
      id: `V${String(v).padStart(3, "0")}`,
      arrival: iso(t0 + Math.floor(rnd() * 120) * 3600e3),
      lengthM: 120 + Math.floor(rnd() * 200),
      draftM: 8 + Math.round(rnd() * 80) / 10,
      handlingMinutes: 240 + 30 * Math.floor(rnd() * 24),
      weight: 1 + Math.floor(rnd() * 3),
    });
  }
  vessels.push({ id: "GIANT", arrival: iso(t0), lengthM: 600, draftM: 9, handlingMinutes: 60 });
  const windows = [];
  for (let h = 0; h < 24 * 10; h += 12) windows.push({ from: iso(t0 + h * 3600e3), to: iso(t0 + (h + 4) * 3600e3) });
  return { berths, vessels, tide: { draftThresholdM: 14.5, windows }, options: { timeLimitMs: 1000, seed } };
}

async function barsMatchPlan(plan) {
  const geometry = await page.$eval("#chart svg", (svg) => ({
    t0: Number(svg.dataset.t0), left: Number(svg.dataset.left), ppm: Number(svg.dataset.ppm),
    rowsTop: Number(svg.dataset.rowsTop), rowHeight: Number(svg.dataset.rowHeight),
    rows: Object.fromEntries([...svg.querySelectorAll("g.row")].map((r) => [r.dataset.berth, Number(r.dataset.row)])),
    bars: [...svg.querySelectorAll("g.bar")].map((g) => ({
      vessel: g.dataset.vessel, berth: g.dataset.berth, focusable: g.getAttribute("tabindex") === "0",
      label: g.getAttribute("aria-label"),
      x: Number(g.querySelector("rect.service").getAttribute("x")),
      y: Number(g.querySelector("rect.service").getAttribute("y")),
    })),
  }));
  assert.equal(geometry.bars.length, plan.assignments.length, "one bar per assignment");
  const byVessel = new Map(geometry.bars.map((b) => [b.vessel, b]));
  for (const a of plan.assignments) {
    const bar = byVessel.get(a.vessel);
    assert.ok(bar, `a bar for ${a.vessel}`);
    assert.equal(bar.berth, a.berth);
    assert.ok(bar.focusable && bar.label.includes(a.vessel), `${a.vessel} is focusable with a text alternative`);
    const expectedX = geometry.left + ((Date.parse(a.start) - geometry.t0) / 60000) * geometry.ppm;
    assert.ok(Math.abs(bar.x - expectedX) < 0.02, `${a.vessel} starts at x=${expectedX}, drawn at ${bar.x}`);
    const row = geometry.rows[a.berth];
    assert.ok(row !== undefined, `a row for ${a.berth}`);
    const top = geometry.rowsTop + row * geometry.rowHeight;
    assert.ok(bar.y >= top && bar.y < top + geometry.rowHeight, `${a.vessel} drawn in ${a.berth}'s row`);
  }
}

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("console", (msg) => { if (msg.type() === "error") consoleErrors.push(msg.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
});

after(async () => {
  await browser?.close();
});

test("the console loads through the load balancer and refuses a bad key", async () => {
  const response = await page.goto(`${BASE}/console`);
  assert.equal(response.status(), 200);
  assert.ok(page.url().endsWith("/console/"), page.url());
  await page.fill("#key", "pk_not_a_real_key");
  await page.click("#key-form button");
  await page.waitForFunction(() => document.getElementById("strip").textContent.includes("refused"));
  assert.equal(await page.isHidden("#app"), true);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("portopt.apiKey")), null);
  // 401s for the bad key are the browser's own network log lines, not the console's errors.
  consoleErrors.length = 0;
});

test("with a good key it shows the cluster's live strip", async () => {
  await page.fill("#key", KEY);
  await page.click("#key-form button");
  await page.waitForSelector("#app", { state: "visible" });
  await page.waitForFunction(() => Number(document.getElementById("strip").dataset.serversUp) >= 2, null,
    { timeout: 15000 });
  const strip = await page.textContent("#strip");
  assert.match(strip, /\d+ servers up · degraded [\d.]+ % of \d+ answers · shed [\d.]+\/s/);
  assert.ok(!page.url().includes(KEY), "the key never goes in a URL");
});

let solved;

test("solving a pasted request of 250 vessels on 20 berths draws one bar per assignment in the right place", async () => {
  const request = bigRequest(Date.now() % 100000);
  await page.click("#solve-panel summary");
  await page.fill("#request", JSON.stringify(request));
  const renders = await page.evaluate(() => window.portoptConsole.renders);
  await page.click("#solve-form button");
  await page.waitForFunction((n) => window.portoptConsole.renders > n, renders, { timeout: 30000 });
  const id = await page.inputValue("#plan-id");
  solved = await api(`/v1/plans/${id}`);
  assert.ok(solved.assignments.length > 200, `placed ${solved.assignments.length}`);
  await barsMatchPlan(solved);

  const listed = await page.$$eval("#unassigned li", (items) => items.map((li) => li.textContent));
  assert.equal(listed.length, solved.unassigned.length);
  for (const u of solved.unassigned) {
    assert.ok(listed.some((t) => t.startsWith(`${u.vessel}: ${u.reason}`)), `${u.vessel} listed with its reason`);
  }
  assert.ok(solved.unassigned.some((u) => u.vessel === "GIANT"));
  const summary = await page.textContent("#summary");
  assert.ok(summary.includes("answered by") && summary.includes(solved.quality?.source ?? "stored"), summary);

  // Draw it again, five times (warm), and report the timings: figures, not pass/fail.
  const first = await page.evaluate(() => window.portoptConsole.lastRenderMs);
  const again = [];
  for (let i = 0; i < 5; i++) {
    const n = await page.evaluate(() => window.portoptConsole.renders);
    await page.click("#open-form button");
    await page.waitForFunction((k) => window.portoptConsole.renders > k, n);
    again.push(await page.evaluate(() => window.portoptConsole.lastRenderMs));
  }
  again.sort((a, b) => a - b);
  console.log(`# chart of ${solved.assignments.length} vessels on 20 berths, fetched through the load balancer and` +
    ` drawn: ${first.toFixed(0)} ms after the solve; opened again 5 times: median ${again[2].toFixed(0)} ms,` +
    ` worst ${again[4].toFixed(0)} ms`);
  await page.evaluate(() => document.getElementById("plan").scrollIntoView());
  await page.screenshot({ path: `${OUT}/console.png`, fullPage: false });
});

test("bars are keyboard-focusable and show their details", async () => {
  const first = page.locator("#chart g.bar").first();
  await first.focus();
  const label = await first.getAttribute("aria-label");
  assert.equal(await page.textContent("#details"), label);
  await page.keyboard.press("Tab");
  const next = await page.evaluate(() => document.activeElement.getAttribute("aria-label"));
  assert.notEqual(next, label);
  assert.equal(await page.textContent("#details"), next);
});

test("a replan compared with its base marks the vessels that moved or shifted", async () => {
  const late = solved.assignments.slice(0, 6);
  const changes = late.map((a) => ({ type: "eta", vessel: a.vessel, arrival: new Date(Date.parse(a.start) + 6 * 3600e3).toISOString() }));
  changes.push({ type: "closure", berth: solved.assignments[10].berth, from: solved.assignments[10].start, to: solved.assignments[10].end });
  const replan = await api(`/v1/plans/${solved.id}:replan`, {
    method: "POST",
    body: JSON.stringify({ now: "2026-03-01T00:00:00Z", changes, options: { timeLimitMs: 300 } }),
  });
  const moved = replan.changes.filter((c) => c.kind === "movedBerth").length;
  const shifted = replan.changes.filter((c) => c.kind === "shifted").length;
  assert.ok(moved + shifted > 0);

  const renders = await page.evaluate(() => window.portoptConsole.renders);
  await page.fill("#plan-id", replan.id);
  await page.click("#open-form button");
  await page.waitForFunction((n) => window.portoptConsole.renders > n, renders);
  await page.click("#compare-base");
  await page.waitForFunction((n) => window.portoptConsole.renders > n, renders + 1);
  await barsMatchPlan(replan);
  assert.equal(await page.locator("#chart g.bar.moved").count(), moved);
  assert.equal(await page.locator("#chart g.bar.shifted").count(), shifted);
  const rows = await page.$$eval("#objectives tbody tr", (trs) => trs.map((tr) => tr.firstChild.textContent));
  assert.deepEqual(rows, [replan.id, solved.id]);

  await page.click("#chain-button");
  await page.waitForFunction(() => document.querySelectorAll("#chain li").length >= 2);
  const chain = await page.$$eval("#chain li", (items) => items.map((li) => li.textContent));
  assert.ok(chain[0].startsWith(replan.id) && chain[1].startsWith(solved.id), chain.join(" | "));
  await page.screenshot({ path: `${OUT}/console-compare.png` });
});

test("a narrow screen scrolls the chart, not the page", async () => {
  await page.setViewportSize({ width: 390, height: 800 });
  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    chart: document.getElementById("chart").clientWidth,
    svg: document.querySelector("#chart svg").getBoundingClientRect().width,
  }));
  assert.ok(widths.page <= 391, `page is ${widths.page} px wide`);
  assert.ok(widths.chart <= 390 && widths.svg > widths.chart, JSON.stringify(widths));
  await page.screenshot({ path: `${OUT}/console-narrow.png` });
  await page.setViewportSize({ width: 1280, height: 800 });
});

test("the console logged no error", () => {
  assert.deepEqual(consoleErrors, []);
});
