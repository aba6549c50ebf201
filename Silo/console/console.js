// The web console: reads the admin API every few seconds and wires the page's parts together. No build step, no
// library: every file is a plain ES module served as it is.
import { api, onRefused, signIn, signOut } from "./api.js";
import { Ring, lineChart } from "./charts.js";
import { renderClients } from "./clients.js";
import { $, el } from "./dom.js";
import { setUpEvents } from "./events.js";
import { editFunction, resetForm, setUpFunctionForm } from "./function-form.js";
import { functions, refreshFunctions, renderFunctions } from "./functions.js";
import { renderInvokeChoices, setUpInvokeForm } from "./invoke.js";

const refreshMs = 3000;
const connectionSamples = new Ring(100);
let refreshing = null;
// Whether this tab signed in (the session cookie is HttpOnly, so the page cannot see it); never the key itself.
let signedIn = sessionStorage.getItem("sse-console-signed-in") === "1";

function setSignedIn(value) {
  signedIn = value;
  if (value) sessionStorage.setItem("sse-console-signed-in", "1");
  else sessionStorage.removeItem("sse-console-signed-in");
}

function showKeyPrompt(status, problem) {
  const prompt = $("key-prompt");
  const wasHidden = prompt.hidden;
  prompt.hidden = false;
  $("session-state").hidden = true;
  setSignedIn(false);
  const detail = problem?.detail ?? problem?.title ?? "";
  $("key-prompt-reason").textContent = status === 401
    ? `The admin API answered 401: ${detail || "it needs an admin API key."} Enter an admin key to use the console.`
    : `The admin API answered 403: ${detail || "not allowed."} If this cluster has an admin key configured, enter it.`;
  if (wasHidden) $("login-key").focus();
}

function renderCluster(health) {
  const self = health.cluster.find((s) => s.self);
  $("served-by").textContent = `Served by silo ${self ? self.silo : "?"} · storage: ${health.storage} · uptime ${health.uptime}`;
  $("cluster-summary").textContent =
    `${health.cluster.length} silo(s), ${health.active_connections} connection(s), ${health.registered_functions} function(s) · ${health.status}`;
  $("silos").replaceChildren(...health.cluster.map((s) => el("tr", {},
    el("td", {}, s.silo + (s.self ? " (this silo)" : "")),
    el("td", {}, el("span", { className: `status-${s.status}` }, s.status)),
    el("td", {}, s.connections ?? "–"))));
  connectionSamples.push(health.active_connections);
  $("connections-chart").replaceChildren(
    lineChart("Connections", [{ name: "open", className: "p50", values: connectionSamples.items }], "", connectionSamples.capacity));
}

async function deleteFunction(fn) {
  const dialog = $("confirm-dialog");
  $("confirm-title").textContent = `Delete ${fn.name}?`;
  $("confirm-text").textContent = `Invocations of ${fn.name} fail with 404 from then on; its registration and secrets are removed.`;
  dialog.returnValue = "";
  dialog.showModal();
  await new Promise((resolve) => dialog.addEventListener("close", resolve, { once: true }));
  if (dialog.returnValue !== "confirm") {
    // The list may have been redrawn while the dialog was open: focus the button as it is now.
    document.querySelector(`[data-focus="${CSS.escape(`delete:${fn.name}`)}"]`)?.focus();
    return;
  }
  try {
    await api(`admin/functions/${encodeURIComponent(fn.name)}`, { method: "DELETE" });
    $("function-form-result").textContent = `Deleted ${fn.name}.`;
    $("function-form-result").className = "good";
    resetForm();
  } catch (error) {
    $("function-form-result").textContent = `Could not delete ${fn.name}: ${error.message}`;
    $("function-form-result").className = "bad";
  }
  await refresh();
  $("functions-title").focus();
}

async function refreshOnce() {
  try {
    const [health, connections] = await Promise.all([api("admin/health"), api("admin/connections"), refreshFunctions()]);
    $("key-prompt").hidden = true;
    $("session-state").hidden = !signedIn;
    renderCluster(health);
    renderClients(health, connections);
    renderFunctions({ onEdit: editFunction, onDelete: deleteFunction });
    renderInvokeChoices(functions());
  } catch (error) {
    $("served-by").textContent = `Could not read the cluster: ${error.message}`;
  }
}

/** One refresh at a time; a call while one runs waits for it and then runs again. */
async function refresh() {
  while (refreshing) await refreshing;
  refreshing = refreshOnce();
  try { await refreshing; } finally { refreshing = null; }
}

onRefused(showKeyPrompt);

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const key = $("login-key").value;
  $("login-key").value = "";
  try {
    await signIn(key);
    setSignedIn(true);
    $("login-result").textContent = "";
    $("key-prompt").hidden = true;
    await refresh();
  } catch (error) {
    $("login-result").textContent = `That key was not accepted: ${error.problem?.detail ?? error.message}`;
    $("login-key").focus();
  }
});

$("sign-out").addEventListener("click", async () => {
  await signOut();
  setSignedIn(false);
  $("session-state").hidden = true;
  await refresh();
});

setUpFunctionForm(() => refresh());
$("fn-filter").addEventListener("input", () => renderFunctions({ onEdit: editFunction, onDelete: deleteFunction }));
setUpInvokeForm(() => setTimeout(refresh, 300));
setUpEvents();
refresh();
setInterval(refresh, refreshMs);
