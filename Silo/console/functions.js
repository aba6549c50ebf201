// The function list: each function's health, endpoints, statistics and charts, with edit and delete.
import { api } from "./api.js";
import { Ring, lineChart } from "./charts.js";
import { $, el, milliseconds, since, table } from "./dom.js";
import { functionHealth, outcomeGroups } from "./health.js";

const capacity = 100; // samples kept per function: about five minutes at the refresh period
const history = new Map(); // name -> { since, silo, previous, ring }
let current = [];

/** The functions as last read, with status. */
export function functions() { return current; }

/** Reads every function with its status; keeps a sample of its statistics for the charts. */
export async function refreshFunctions() {
  const list = await api("admin/functions");
  const detailed = await Promise.all(list.functions.map(async (f) => {
    try {
      return await api(`admin/functions/${encodeURIComponent(f.name)}`);
    } catch (error) {
      if (error.status === 404) return null; // deleted meanwhile
      return { ...f, statusError: error.message };
    }
  }));
  current = detailed.filter(Boolean);
  const now = Date.now();
  for (const fn of current) sample(fn, now);
  for (const name of [...history.keys()]) {
    if (!current.some((f) => f.name === name)) history.delete(name);
  }
  return current;
}

function sample(fn, now) {
  const stats = fn.stats;
  if (!stats) return;
  let entry = history.get(fn.name);
  // Statistics start again when the grain is activated elsewhere: a new baseline, not a negative rate.
  if (!entry || entry.since !== stats.since || entry.silo !== stats.silo) {
    entry = { since: stats.since, silo: stats.silo, previous: null, ring: entry?.ring ?? new Ring(capacity) };
    history.set(fn.name, entry);
  }
  const groups = outcomeGroups(stats.outcomes);
  const raw = { at: now, ok: groups.succeeded, bad: groups.failed + groups.timedOut + groups.throttled };
  const previous = entry.previous;
  const seconds = previous ? Math.max(0.001, (now - previous.at) / 1000) : null;
  entry.ring.push({
    okRate: previous ? Math.max(0, raw.ok - previous.ok) / seconds : null,
    badRate: previous ? Math.max(0, raw.bad - previous.bad) / seconds : null,
    p50: stats.latency_p50_ms,
    p99: stats.latency_p99_ms,
  });
  entry.previous = raw;
}

/** Renders the list; keeps keyboard focus on the same control across refreshes. */
export function renderFunctions(handlers) {
  const focused = document.activeElement?.dataset?.focus;
  const container = $("functions");
  const filter = $("fn-filter").value.trim().toLowerCase();
  const shown = filter ? current.filter((fn) => fn.name.toLowerCase().includes(filter)) : current;
  const empty = current.length ? `No function's name contains "${filter}".` : "No functions registered yet: register one with the form.";
  container.replaceChildren(...(shown.length
    ? shown.map((fn) => card(fn, handlers))
    : [el("p", { className: "muted" }, empty)]));
  if (focused) container.querySelector(`[data-focus="${CSS.escape(focused)}"]`)?.focus();
}

function card(fn, { onEdit, onDelete }) {
  const health = functionHealth(fn);
  const id = `fn-card-${fn.name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  return el("article", { className: "card function", "data-name": fn.name, "aria-labelledby": `${id}-title` },
    el("div", { className: "function-head" },
      el("h3", { id: `${id}-title` }, fn.name),
      el("span", { className: `badge health-${health.state}`, "data-health": health.state }, health.state),
      el("span", { className: "muted small" }, `${fn.kind} · ${fn.method} · timeout ${fn.timeout} · ${fn.load_balancing.replace("_", " ")}`),
      el("span", { className: "actions" },
        el("button", { type: "button", className: "secondary", "data-focus": `edit:${fn.name}`, "aria-label": `Edit ${fn.name}`, onclick: () => onEdit(fn) }, "Edit"),
        el("button", { type: "button", className: "danger", "data-focus": `delete:${fn.name}`, "aria-label": `Delete ${fn.name}`, onclick: () => onDelete(fn) }, "Delete"))),
    fn.description ? el("p", { className: "small" }, fn.description) : null,
    el("p", { className: "muted small health-reason" }, fn.statusError ?? health.reason),
    endpointsTable(fn),
    statistics(fn),
    charts(fn));
}

function endpointsTable(fn) {
  const byUrl = new Map((fn.health ?? []).map((h) => [h.endpoint, h]));
  return table(`Endpoints of ${fn.name}`, ["Endpoint", "Health", "Circuit", "In flight", "Last check"],
    fn.endpoints.map((url) => {
      const h = byUrl.get(url);
      const check = !h?.last_check ? "–"
        : `${since(h.last_check)}${h.latency_ms !== null ? ` · ${milliseconds(h.latency_ms)}` : ""}${h.last_error ? ` · ${h.last_error}` : ""}`;
      return el("tr", { className: "endpoint" },
        el("td", { className: "url" }, url),
        el("td", {}, el("span", { className: `state state-${h?.state ?? "unknown"}` }, h?.state ?? "unknown")),
        el("td", {}, el("span", { className: `state circuit-${h?.circuit ?? "off"}` }, (h?.circuit ?? "off").replace("_", " "))),
        el("td", {}, h?.in_flight ?? "–"),
        el("td", {}, check));
    }));
}

function statistics(fn) {
  const stats = fn.stats;
  if (!stats) return null;
  const groups = outcomeGroups(stats.outcomes);
  const figures = [
    ["Invocations", stats.invocations, "invocations"],
    ["Succeeded", groups.succeeded, "succeeded"],
    ["Failed", groups.failed, "failed"],
    ["Timed out", groups.timedOut, "timed-out"],
    ["Throttled", groups.throttled, "throttled"],
    ["Retries", stats.retries, "retries"],
    ["Latency p50", milliseconds(stats.latency_p50_ms), "p50"],
    ["Latency p99", milliseconds(stats.latency_p99_ms), "p99"],
  ];
  return el("dl", { className: "stats", "aria-label": `Statistics of ${fn.name} since ${new Date(stats.since).toLocaleString()}` },
    figures.map(([label, value, key]) => el("div", { "data-stat": key }, el("dt", {}, label), el("dd", {}, value))));
}

function charts(fn) {
  const entry = history.get(fn.name);
  if (!entry) return null;
  const items = entry.ring.items;
  return el("div", { className: "charts" },
    lineChart("Calls per second", [
      { name: "succeeded", className: "good", values: items.map((s) => s.okRate) },
      { name: "failed", className: "bad", values: items.map((s) => s.badRate) },
    ], "/s", capacity),
    lineChart("Latency", [
      { name: "p50", className: "p50", values: items.map((s) => s.p50) },
      { name: "p99", className: "p99", values: items.map((s) => s.p99) },
    ], " ms", capacity));
}
