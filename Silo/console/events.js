// The live event pane: an EventSource on /sse/{clientId} of this silo, showing every event kind of a client stream.
// When streams need a token (a signing key is configured), the console asks POST /admin/tokens for one with the
// admin session, and renews it when the stream says token_expired, resuming after the last event it saw.
import { api } from "./api.js";
import { $, el } from "./dom.js";

// Every event kind a client stream sends (docs/http-api.md); "message" catches events without a name.
const kinds = ["connected", "heartbeat", "function_response", "function_result", "gap", "token_expired", "reconnect", "message"];
const withId = new Set(["connected", "function_response", "function_result"]);
const kept = 200;

let source = null;
let client = null;
let token = null; // { value, expiresAt } when the stream needs one
let lastEventId = null;
let triedToken = false;

function state(message) { $("stream-state").textContent = message; }

function streamUrl() {
  const query = new URLSearchParams();
  if (lastEventId) query.set("lastEventId", lastEventId);
  if (token) query.set("access_token", token.value);
  const suffix = query.toString();
  return `sse/${encodeURIComponent(client)}${suffix ? `?${suffix}` : ""}`;
}

function parse(data) {
  try { return JSON.parse(data); } catch { return null; }
}

/** One line that says what the event means; the raw data follows it. */
function summary(type, data) {
  if (!data) return "";
  switch (type) {
    case "connected": return `to silo ${data.silo} (connection ${data.connection_id})`;
    case "heartbeat": return new Date(data.timestamp * 1000).toLocaleTimeString();
    case "function_response":
      return `${data.function} · ${data.success ? "succeeded" : `failed${data.error ? `: ${data.error}` : ""}`} · status ${data.status_code} · ${data.duration_ms} ms${data.total !== undefined ? ` · ${data.total} items` : ""} · request ${data.request_id}`;
    case "function_result": return `${data.function} · item ${data.index} · request ${data.request_id}`;
    case "gap": return data.message ?? `events after ${data.requested_after} are gone; oldest kept ${data.oldest_available}`;
    case "token_expired": return `${data.message ?? data.reason} (expired ${new Date(data.expired_at * 1000).toLocaleTimeString()})`;
    case "reconnect": return data.message ?? data.reason ?? "";
    default: return "";
  }
}

function show(type, event) {
  const data = parse(event.data);
  const item = el("li", { className: `event ${type}`, "data-type": type },
    el("div", { className: "event-head" },
      el("span", { className: "type" }, type),
      // EventSource reports the stream's last id on every event; only these kinds carry one of their own.
      withId.has(type) && event.lastEventId ? ` #${event.lastEventId}` : "",
      ` · ${new Date().toLocaleTimeString()}`),
    el("div", { className: "event-summary" }, summary(type, data)),
    el("pre", {}, event.data ?? ""));
  const list = $("events");
  list.prepend(item);
  while (list.children.length > kept) list.lastChild.remove();
}

function close() {
  if (source) source.close();
  source = null;
}

function disconnect(message = "Not connected.") {
  close();
  client = null;
  token = null;
  lastEventId = null;
  $("stream-toggle").textContent = "Connect";
  state(message);
}

async function issueToken() {
  const ttl = $("stream-token-ttl").value.trim() || "1h";
  const answer = await api("admin/tokens", { method: "POST", body: { client_id: client, ttl } });
  token = { value: answer.token, expiresAt: answer.expires_at };
}

/** Why the stream was refused: EventSource does not say, so ask once with fetch and stop at the headers. */
async function refusal() {
  const controller = new AbortController();
  try {
    const response = await fetch(streamUrl(), { headers: { Accept: "text/event-stream" }, signal: controller.signal });
    if (response.ok) {
      controller.abort();
      return { status: 200 };
    }
    const problem = await response.json().catch(() => null);
    return { status: response.status, detail: problem?.detail ?? problem?.title };
  } catch (error) {
    return { status: 0, detail: error.message };
  }
}

async function onClosed() {
  const current = source;
  const why = await refusal();
  if (source !== current) return; // disconnected or reopened meanwhile
  if (why.status === 401 && !triedToken) {
    triedToken = true;
    try {
      state("This stream needs a token: asking for one…");
      await issueToken();
      open();
      return;
    } catch (error) {
      disconnect(`The stream needs a token and none could be issued: ${error.message}`);
      return;
    }
  }
  disconnect(why.status === 200 ? "The stream ended." : `The stream was refused (${why.status}): ${why.detail ?? "no reason given"}`);
}

async function renewAfterExpiry() {
  close(); // the silo ends the stream next; reconnect at once with a fresh token, after the last event seen
  state("The token expired: renewing it and resuming…");
  try {
    await issueToken();
    open();
  } catch (error) {
    disconnect(`The token expired and could not be renewed: ${error.message}`);
  }
}

function open() {
  const opened = new EventSource(streamUrl());
  source = opened;
  for (const type of kinds) {
    opened.addEventListener(type, (event) => {
      if (source !== opened) return;
      if (event.lastEventId) lastEventId = event.lastEventId;
      show(type, event);
      if (type === "connected") {
        triedToken = false;
        const info = parse(event.data);
        const until = token ? ` with a token until ${new Date(token.expiresAt).toLocaleTimeString()}` : "";
        state(`Connected as ${info.client_id} to silo ${info.silo}${until}.`);
      } else if (type === "token_expired") {
        renewAfterExpiry();
      } else if (type === "reconnect") {
        state("The silo is shutting down: reconnecting…");
      }
    });
  }
  opened.onerror = () => {
    if (source !== opened) return;
    if (opened.readyState === EventSource.CLOSED) onClosed();
    else state("Reconnecting…");
  };
}

export function setUpEvents() {
  $("stream-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (source || client) {
      disconnect();
      return;
    }
    client = $("stream-client").value.trim();
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(client)) {
      client = null;
      state("The client id must be 1 to 128 letters, digits, '_', '.', ':' or '-'.");
      $("stream-client").focus();
      return;
    }
    triedToken = false;
    $("stream-toggle").textContent = "Disconnect";
    state(`Connecting as ${client}…`);
    open();
  });
  $("stream-heartbeats").addEventListener("change", () => {
    $("events").classList.toggle("hide-heartbeats", !$("stream-heartbeats").checked);
  });
  $("events-clear").addEventListener("click", () => $("events").replaceChildren());
}
