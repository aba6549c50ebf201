// The register / edit form: several endpoints and headers, method, timeout, description, load balancing and
// health checks. Editing sends PUT /admin/functions/{name} with the settings the form does not show carried over
// from the stored function, so saving never resets them.
import { api } from "./api.js";
import { $, el } from "./dom.js";

const redacted = "[redacted]";
let editing = null; // the stored function being edited, or null when registering
let rowIds = 0;

function removeButton(label, onRemove) {
  return el("button", { type: "button", className: "secondary icon", "aria-label": label, onclick: onRemove }, "Remove");
}

function renumber(container, kind) {
  [...container.children].forEach((line, i) => {
    for (const label of line.querySelectorAll("label")) label.textContent = label.dataset.template.replace("#", String(i + 1));
    for (const button of line.querySelectorAll("button")) {
      button.setAttribute("aria-label", `Remove ${kind} ${i + 1}`);
      button.disabled = kind === "endpoint" && container.children.length === 1; // a function needs one
    }
  });
}

function addEndpoint(value = "") {
  const container = $("fn-endpoints");
  const id = `fn-endpoint-${++rowIds}`;
  const line = el("div", { className: "row line" },
    el("label", { for: id, className: "visually-hidden", "data-template": "Endpoint # URL" }),
    el("input", { id, type: "url", className: "endpoint-url", required: true, placeholder: "https://example.com/api/fn", value }),
    removeButton("", () => {
      if (container.children.length > 1) { line.remove(); renumber(container, "endpoint"); container.querySelector("input")?.focus(); }
    }));
  container.append(line);
  renumber(container, "endpoint");
  return line.querySelector("input");
}

function addHeader(name = "", value = "") {
  const container = $("fn-headers");
  const n = ++rowIds;
  const line = el("div", { className: "row line header" },
    el("label", { for: `fn-header-name-${n}`, className: "visually-hidden", "data-template": "Header # name" }),
    el("input", { id: `fn-header-name-${n}`, className: "header-name", placeholder: "Authorization", autocomplete: "off", value: name }),
    el("label", { for: `fn-header-value-${n}`, className: "visually-hidden", "data-template": "Header # value" }),
    el("input", {
      id: `fn-header-value-${n}`, className: "header-value", autocomplete: "off", value,
      placeholder: editing && name ? "enter the value again" : "value",
    }),
    removeButton("", () => { line.remove(); renumber(container, "header"); $("add-header").focus(); }));
  container.append(line);
  renumber(container, "header");
  return line.querySelector("input");
}

/** Parses a duration such as "200ms", "10s" or "1m30s" into milliseconds; null when it is not one. */
export function durationMs(textValue) {
  const units = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  const parts = String(textValue).trim().match(/^(\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/) ? String(textValue).trim().match(/\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)/g) : null;
  if (!parts) return null;
  return parts.reduce((sum, part) => {
    const [, number, unit] = part.match(/^(\d+(?:\.\d+)?)(.+)$/);
    return sum + Number(number) * units[unit];
  }, 0);
}

function healthCheck() {
  if (!$("fn-health").checked) return false;
  const interval = $("fn-health-interval").value.trim() || "10s";
  const stored = editing && typeof editing.health_check === "object" ? editing.health_check : {};
  const check = { ...stored, path: $("fn-health-path").value.trim() || "health", interval };
  // The check's timeout may not exceed its interval: a short interval brings the timeout down with it.
  const intervalMs = durationMs(interval);
  if (intervalMs !== null && (durationMs(check.timeout ?? "2s") ?? 2000) > intervalMs) check.timeout = interval;
  return check;
}

/** The request body, or a { field, message } for the first thing to fix. */
function body() {
  const name = $("fn-name").value.trim();
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) return { problem: { input: $("fn-name"), message: "The name must be 1 to 64 letters, digits, '_', '.' or '-'." } };
  const endpointInputs = [...document.querySelectorAll("#fn-endpoints input")];
  const endpoints = endpointInputs.map((i) => i.value.trim());
  const emptyEndpoint = endpointInputs.find((i) => !i.value.trim());
  if (emptyEndpoint) return { problem: { input: emptyEndpoint, message: "Every endpoint needs a URL (or remove it)." } };
  const stillRedacted = endpointInputs.find((i) => i.value.includes(redacted));
  if (stillRedacted) return { problem: { input: stillRedacted, message: "Query values are never shown: enter this endpoint's full URL again." } };
  const headers = {};
  for (const line of document.querySelectorAll("#fn-headers .header")) {
    const [nameInput, valueInput] = line.querySelectorAll("input");
    const header = nameInput.value.trim();
    if (!header && !valueInput.value) continue;
    if (!header) return { problem: { input: nameInput, message: "A header needs a name." } };
    if (!valueInput.value) return { problem: { input: valueInput, message: `Enter the value of ${header} (values are never shown), or remove the header.` } };
    headers[header] = valueInput.value;
  }
  const fields = {
    endpoints,
    method: $("fn-method").value,
    timeout: $("fn-timeout").value.trim() || undefined,
    description: $("fn-description").value,
    headers,
    load_balancing: $("fn-balancing").value,
    health_check: healthCheck(),
  };
  if (!editing) return { name, value: { name, ...fields } };
  // Settings the form does not show are sent back as stored (the answer echoes them in the request's own form).
  const kept = {};
  for (const key of ["kind", "retry", "circuit_breaker", "max_concurrency", "max_queue", "input_schema", "output_schema", "tools", "tool_rate_limit"]) {
    if (editing[key] !== undefined) kept[key] = editing[key];
  }
  return { name, value: { ...kept, ...fields } };
}

function inputFor(field) {
  if (!field) return null;
  if (field === "name") return $("fn-name");
  if (field.startsWith("endpoint")) return document.querySelector("#fn-endpoints input");
  if (field === "timeout") return $("fn-timeout");
  if (field === "method") return $("fn-method");
  if (field.startsWith("headers.")) {
    const name = field.slice("headers.".length).toLowerCase();
    return [...document.querySelectorAll("#fn-headers .header-name")].find((i) => i.value.trim().toLowerCase() === name) ?? null;
  }
  if (field.startsWith("health_check")) return $("fn-health-interval");
  if (field === "load_balancing") return $("fn-balancing");
  return null;
}

function say(message, ok) {
  const result = $("function-form-result");
  result.textContent = message;
  result.className = ok ? "good" : "bad";
}

export function resetForm() {
  editing = null;
  $("function-form").reset();
  $("form-title").textContent = "Register a function";
  $("fn-submit").textContent = "Register";
  $("fn-cancel").hidden = true;
  $("fn-name").readOnly = false;
  $("fn-headers-note").textContent = "Values are stored encrypted and never shown again.";
  $("fn-endpoints").replaceChildren();
  $("fn-headers").replaceChildren();
  addEndpoint();
  $("fn-health-settings").hidden = true;
}

/** Fills the form with a stored function for editing. */
export function editFunction(fn) {
  resetForm();
  editing = fn;
  $("form-title").textContent = `Edit ${fn.name}`;
  $("fn-submit").textContent = "Save changes";
  $("fn-cancel").hidden = false;
  $("fn-name").value = fn.name;
  $("fn-name").readOnly = true;
  $("fn-endpoints").replaceChildren();
  for (const url of fn.endpoints) addEndpoint(url);
  $("fn-method").value = fn.method;
  $("fn-timeout").value = fn.timeout;
  $("fn-description").value = fn.description ?? "";
  $("fn-balancing").value = fn.load_balancing;
  const check = typeof fn.health_check === "object" ? fn.health_check : null;
  $("fn-health").checked = Boolean(check);
  $("fn-health-settings").hidden = !check;
  if (check) {
    $("fn-health-path").value = check.path;
    $("fn-health-interval").value = check.interval;
  }
  const names = Object.keys(fn.headers ?? {});
  $("fn-headers-note").textContent = names.length
    ? "Header values are never shown: enter each value again, or remove the header."
    : "Values are stored encrypted and never shown again.";
  for (const name of names) addHeader(name, "");
  say("", true);
  $("function-form").scrollIntoView({ block: "start" });
  $("fn-endpoints").querySelector("input").focus();
}

export function setUpFunctionForm(onSaved) {
  resetForm();
  $("add-endpoint").addEventListener("click", () => addEndpoint().focus());
  $("add-header").addEventListener("click", () => addHeader().focus());
  $("fn-health").addEventListener("change", () => { $("fn-health-settings").hidden = !$("fn-health").checked; });
  $("fn-cancel").addEventListener("click", () => { resetForm(); say("", true); $("fn-name").focus(); });
  $("function-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const built = body();
    if (built.problem) {
      say(built.problem.message, false);
      built.problem.input.focus();
      return;
    }
    const wasEditing = Boolean(editing);
    try {
      const saved = await api(wasEditing ? `admin/functions/${encodeURIComponent(built.name)}` : "admin/functions",
        { method: wasEditing ? "PUT" : "POST", body: built.value });
      resetForm();
      say(`${wasEditing ? "Saved" : "Registered"} ${saved.name} with ${saved.endpoints.length} endpoint${saved.endpoints.length === 1 ? "" : "s"}.`, true);
      await onSaved(saved.name);
    } catch (error) {
      say(`Refused: ${error.problem?.detail ?? error.message}`, false);
      inputFor(error.problem?.field)?.focus();
    }
  });
}
