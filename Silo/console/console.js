// The web console: reads the admin API, invokes functions and shows a client's live events. No build step.
"use strict";

const $ = (id) => document.getElementById(id);
let source = null;

function text(value) { return value === null || value === undefined ? "" : String(value); }

function row(cells, className) {
  const tr = document.createElement("tr");
  if (className) tr.className = className;
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.append(cell); else td.textContent = text(cell);
    tr.append(td);
  }
  return tr;
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  // With API keys configured, admin needs a session: the key is presented once and kept as an HttpOnly cookie.
  if (response.status === 401) $("login-form").hidden = false;
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("admin/session", { method: "POST", headers: { "X-Api-Key": $("login-key").value } });
  $("login-key").value = "";
  if (response.ok) {
    $("login-form").hidden = true;
    refresh();
  } else {
    $("served-by").textContent = "That key was not accepted.";
  }
});

async function refreshCluster() {
  const health = await getJson("admin/health");
  const self = health.cluster.find((s) => s.self);
  $("served-by").textContent = `Served by silo ${self ? self.silo : "?"} · storage: ${health.storage} · uptime ${health.uptime}`;
  $("cluster-summary").textContent = `${health.cluster.length} silo(s), ${health.active_connections} connection(s), ${health.registered_functions} function(s) · ${health.status}`;
  $("silos").replaceChildren(...health.cluster.map((s) => {
    const status = document.createElement("span");
    status.textContent = s.status;
    status.className = `status-${s.status}`;
    return row([s.silo + (s.self ? " (this silo)" : ""), status, s.connections ?? "–"]);
  }));
}

async function refreshFunctions() {
  const list = await getJson("admin/functions");
  $("functions").replaceChildren(...(list.functions.length
    ? list.functions.map((f) => row([f.name, f.endpoint, f.timeout, f.is_active ? "active" : "inactive"]))
    : [row(["No functions registered yet.", "", "", ""])]));
  const select = $("inv-function");
  const chosen = select.value;
  select.replaceChildren(...list.functions.map((f) => new Option(f.name, f.name)));
  if (chosen) select.value = chosen;
}

async function refresh() {
  try {
    await Promise.all([refreshCluster(), refreshFunctions()]);
  } catch (error) {
    $("served-by").textContent = `Could not read the cluster: ${error.message}`;
  }
}

$("register-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { name: $("reg-name").value, endpoint: $("reg-endpoint").value, timeout: $("reg-timeout").value };
  const response = await fetch("admin/functions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const answer = await response.json();
  $("register-result").textContent = response.ok ? `Registered ${answer.name}.` : `Refused: ${answer.detail ?? answer.title}`;
  if (response.ok) await refreshFunctions();
});

$("invoke-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  let payload;
  try {
    payload = JSON.parse($("inv-payload").value || "{}");
  } catch {
    $("invoke-result").textContent = "The payload is not valid JSON.";
    return;
  }
  const body = { payload, client_id: $("inv-client").value || undefined, async: $("inv-async").checked };
  const response = await fetch(`invoke/${encodeURIComponent($("inv-function").value)}`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  $("invoke-result").textContent = `${response.status}\n${JSON.stringify(await response.json(), null, 2)}`;
});

function showEvent(type, event) {
  const item = document.createElement("li");
  item.className = type;
  const head = document.createElement("div");
  const name = document.createElement("span");
  name.className = "type";
  name.textContent = type;
  head.append(name, document.createTextNode(event.lastEventId ? ` #${event.lastEventId}` : ""),
    document.createTextNode(` · ${new Date().toLocaleTimeString()}`));
  const data = document.createElement("pre");
  data.textContent = event.data ?? "";
  item.append(head, data);
  $("events").prepend(item);
  while ($("events").children.length > 200) $("events").lastChild.remove();
}

function disconnect() {
  if (source) source.close();
  source = null;
  $("stream-toggle").textContent = "Connect";
  $("stream-state").textContent = "Not connected.";
}

$("stream-form").addEventListener("submit", (event) => {
  event.preventDefault();
  if (source) { disconnect(); return; }
  const client = $("stream-client").value;
  source = new EventSource(`sse/${encodeURIComponent(client)}`);
  $("stream-toggle").textContent = "Disconnect";
  $("stream-state").textContent = `Connecting as ${client}…`;
  for (const type of ["connected", "heartbeat", "function_response", "gap", "reconnect"]) {
    source.addEventListener(type, (e) => {
      if (type === "connected") {
        const info = JSON.parse(e.data);
        $("stream-state").textContent = `Connected as ${info.client_id} to silo ${info.silo}.`;
      }
      showEvent(type, e);
    });
  }
  source.onerror = () => {
    if (source && source.readyState === EventSource.CONNECTING) $("stream-state").textContent = "Reconnecting…";
  };
});

refresh();
setInterval(refresh, 5000);
