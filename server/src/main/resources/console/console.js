// The planner's console. Plain ES module, no build step: the chart is the server's own SVG
// (GET /v1/plans/{id}.svg), so the screen and a report drawn from the same plan never differ.
// The API key lives in this tab's session storage and travels only in the Authorization header.

const KEY = "portopt.apiKey";
const $ = (id) => document.getElementById(id);
const state = { plan: null, compare: null, tz: "" };
// Read by the browser tests and shown to the user: how long the last chart took to draw.
window.portoptConsole = { lastRenderMs: null, renders: 0 };

class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path, { method = "GET", body, accept = "application/json" } = {}) {
  const headers = { Authorization: `Bearer ${sessionStorage.getItem(KEY)}`, Accept: accept };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body, cache: "no-store" });
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON */ }
    throw new ApiError(response.status, problem);
  }
  return accept === "application/json" ? response.json() : response.text();
}

function showError(e) {
  const box = $("error");
  box.textContent = "";
  if (!e) return;
  const lines = [e.message];
  for (const f of e.problem?.errors || []) lines.push(`${f.field || f.pointer || ""}: ${f.message || f.detail || ""}`);
  if (e.status === 503) lines.push("The cluster is shedding load; try again in a few seconds.");
  box.textContent = lines.join("\n");
}

function text(tag, content, attrs = {}) {
  const el = document.createElement(tag);
  el.textContent = content;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

// --- the key --------------------------------------------------------------------------------
async function connect(key) {
  sessionStorage.setItem(KEY, key);
  try {
    await api("/v1/cluster/pulse");
  } catch (e) {
    sessionStorage.removeItem(KEY);
    throw e;
  }
  $("login").hidden = true;
  $("app").hidden = false;
  $("forget").hidden = false;
  pulse();
}

$("key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("key");
  const key = input.value.trim();
  input.value = "";
  try {
    await connect(key);
    showError(null);
    $("plan-id").focus();
  } catch (e) {
    $("strip").textContent = e.status === 401 ? "That API key was refused." : `Cannot connect: ${e.message}`;
    $("strip").classList.add("bad");
  }
});

$("forget").addEventListener("click", () => {
  sessionStorage.removeItem(KEY);
  location.reload();
});

// --- the live strip ---------------------------------------------------------------------------
let pulseTimer = null;
async function pulse() {
  clearTimeout(pulseTimer);
  const strip = $("strip");
  try {
    const p = await api("/v1/cluster/pulse");
    const share = (100 * p.degradedShare).toFixed(1);
    strip.textContent = `${p.serversUp} server${p.serversUp === 1 ? "" : "s"} up` +
      ` · degraded ${share} % of ${p.answered} answers · shed ${p.shedPerSecond.toFixed(2)}/s` +
      ` (last ${p.windowSeconds} s${p.complete ? "" : ", this server only"})`;
    strip.dataset.serversUp = p.serversUp;
    strip.classList.toggle("bad", p.shed > 0 || p.degradedShare > 0.05);
  } catch (e) {
    strip.textContent = `cluster state unavailable: ${e.message}`;
    strip.classList.add("bad");
  }
  pulseTimer = setTimeout(pulse, 5000);
}

// --- plans ------------------------------------------------------------------------------------
async function openPlan(id, compareId = null) {
  showError(null);
  const started = performance.now();
  const query = new URLSearchParams();
  if (compareId) query.set("compare", compareId);
  if (state.tz) query.set("tz", state.tz);
  const qs = query.toString() ? `?${query}` : "";
  const [plan, svgText, other] = await Promise.all([
    api(`/v1/plans/${encodeURIComponent(id)}`),
    api(`/v1/plans/${encodeURIComponent(id)}.svg${qs}`, { accept: "image/svg+xml" }),
    compareId ? api(`/v1/plans/${encodeURIComponent(compareId)}`) : Promise.resolve(null),
  ]);
  const fetched = performance.now();
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  if (doc.querySelector("parsererror")) throw new Error("the chart could not be read");
  const svg = document.importNode(doc.documentElement, true);
  const chart = $("chart");
  chart.replaceChildren(svg);
  const inserted = performance.now();
  state.plan = plan;
  state.compare = other;
  summarise(plan, other);
  // Wait for the browser to lay the chart out before taking the time.
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const ms = performance.now() - started;
  window.portoptConsole.lastRenderMs = ms;
  window.portoptConsole.phases = { fetchMs: fetched - started, insertMs: inserted - fetched, layoutMs: performance.now() - inserted };
  window.portoptConsole.renders += 1;
  $("render-time").textContent = `${plan.assignments.length} bars drawn in ${Math.round(ms)} ms`;
  $("plan-id").value = plan.id;
  $("compare-id").value = compareId || "";
  $("compare-base").disabled = !plan.basedOn;
  $("chain").replaceChildren();
  $("plan").hidden = false;
}

function summarise(plan, other) {
  const q = plan.quality || {};
  const dl = $("summary");
  dl.replaceChildren();
  const row = (term, value, cls) => {
    dl.append(text("dt", term));
    const dd = text("dd", value);
    if (cls) dd.className = cls;
    dl.append(dd);
  };
  row("id", plan.id);
  row("answered by", q.source ? `${q.source}${q.degraded ? ` (degraded: ${q.reason || "yes"})` : ""}` : "stored plan",
    q.degraded ? "degraded" : undefined);
  if (plan.basedOn || q.basedOn) row("based on", plan.basedOn || q.basedOn);
  row("objective", `${fmt(plan.objective.weightedTurnaroundMinutes)} weighted minutes`);
  if (plan.objective.stabilityPenalty != null) row("stability penalty", fmt(plan.objective.stabilityPenalty));
  if (q.lowerBound != null) {
    row("lower bound", `${fmt(q.lowerBound)} (gap ${(100 * q.gap).toFixed(2)} %${q.optimal ? ", optimal" : ""})`);
  }
  if (q.solveMillis != null) row("solve time", `${q.solveMillis} ms`);
  row("placed", `${plan.assignments.length} vessels, ${plan.unassigned.length} unassigned`);

  const list = $("unassigned");
  list.replaceChildren();
  for (const u of plan.unassigned) {
    list.append(text("li", `${u.vessel}: ${u.reason}${u.detail ? ` — ${u.detail}` : ""}`, { "data-vessel": u.vessel }));
  }
  if (!plan.unassigned.length) list.append(text("li", "none"));

  const table = $("objectives");
  const body = table.querySelector("tbody");
  body.replaceChildren();
  table.hidden = !other;
  if (other) {
    for (const p of [plan, other]) {
      const tr = document.createElement("tr");
      tr.append(text("td", p.id), text("td", fmt(p.objective.weightedTurnaroundMinutes)),
        text("td", String(p.assignments.length)), text("td", p.quality?.source || "stored"));
      body.append(tr);
    }
  }
}

function fmt(n) {
  return Number.isInteger(n) ? n.toLocaleString("en") : n.toLocaleString("en", { maximumFractionDigits: 1 });
}

async function guarded(work) {
  try {
    await work();
  } catch (e) {
    if (e.status === 401) {
      sessionStorage.removeItem(KEY);
      location.reload();
      return;
    }
    showError(e);
  }
}

$("open-form").addEventListener("submit", (event) => {
  event.preventDefault();
  guarded(() => openPlan($("plan-id").value.trim()));
});

$("compare-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (!state.plan) return;
  const other = $("compare-id").value.trim();
  guarded(() => openPlan(state.plan.id, other || null));
});

$("compare-base").addEventListener("click", () => {
  if (state.plan?.basedOn) guarded(() => openPlan(state.plan.id, state.plan.basedOn));
});

$("tz-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.tz = $("tz").value.trim();
  if (state.plan) guarded(() => openPlan(state.plan.id, state.compare?.id || null));
});

$("request-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (file) $("request").value = await file.text();
});

$("solve-form").addEventListener("submit", (event) => {
  event.preventDefault();
  guarded(async () => {
    const raw = $("request").value;
    try {
      JSON.parse(raw);
    } catch (e) {
      throw new Error(`The request is not valid JSON: ${e.message}`);
    }
    const plan = await api("/v1/plans", { method: "POST", body: raw });
    await openPlan(plan.id);
    $("solve-panel").open = false;
    $("plan").scrollIntoView();
  });
});

// The chain: follow basedOn back from the open plan, newest first.
$("chain-button").addEventListener("click", () => guarded(async () => {
  const list = $("chain");
  list.replaceChildren();
  let plan = state.plan;
  const seen = new Set();
  while (plan && !seen.has(plan.id) && seen.size < 50) {
    seen.add(plan.id);
    const item = document.createElement("li");
    const open = text("button", `${plan.id} — objective ${fmt(plan.objective.weightedTurnaroundMinutes)}`, { type: "button" });
    const id = plan.id;
    const base = plan.basedOn;
    open.addEventListener("click", () => guarded(() => openPlan(id, base || null)));
    item.append(open);
    if (plan.changes?.length) item.append(text("span", ` (${plan.changes.length} changes)`));
    list.append(item);
    plan = plan.basedOn ? await api(`/v1/plans/${encodeURIComponent(plan.basedOn)}`) : null;
  }
}));

// Details of the bar under the pointer or with the focus.
function describe(event) {
  const bar = event.target.closest?.(".bar");
  if (!bar) return;
  $("details").textContent = bar.getAttribute("aria-label");
}
$("chart").addEventListener("mouseover", describe);
$("chart").addEventListener("focusin", describe);

if (sessionStorage.getItem(KEY)) {
  connect(sessionStorage.getItem(KEY)).catch(() => {
    $("login").hidden = false;
  });
}
