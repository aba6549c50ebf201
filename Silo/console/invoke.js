// The invoke form: sync (the answer shows here) or async (the result arrives on the client's stream), optionally
// streamed item by item as function_result events.
import { call } from "./api.js";
import { $ } from "./dom.js";

/** Keeps the function choices in step with the list, keeping the current choice when it still exists. */
export function renderInvokeChoices(functions) {
  const select = $("inv-function");
  const chosen = select.value;
  const names = functions.filter((f) => f.kind !== "mcp").map((f) => f.name);
  if (names.join("\n") === [...select.options].map((o) => o.value).join("\n")) return;
  select.replaceChildren(...names.map((name) => new Option(name, name)));
  if (names.includes(chosen)) select.value = chosen;
}

export function setUpInvokeForm(afterInvoke) {
  $("inv-async").addEventListener("change", () => {
    $("inv-stream").disabled = !$("inv-async").checked;
    if (!$("inv-async").checked) $("inv-stream").checked = false;
  });
  $("invoke-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const output = $("invoke-result");
    let payload;
    try {
      payload = JSON.parse($("inv-payload").value || "{}");
    } catch {
      output.textContent = "The payload is not valid JSON.";
      $("inv-payload").focus();
      return;
    }
    const name = $("inv-function").value;
    if (!name) {
      output.textContent = "Register a function first.";
      return;
    }
    const asynchronous = $("inv-async").checked;
    const body = { payload, client_id: $("inv-client").value || undefined, async: asynchronous };
    if (asynchronous && $("inv-stream").checked) body.stream = true;
    output.textContent = "Invoking…";
    try {
      const answer = await call(`invoke/${encodeURIComponent(name)}`, { body });
      output.textContent = `${answer.status}\n${JSON.stringify(answer.body, null, 2)}`;
    } catch (error) {
      output.textContent = `The call failed: ${error.message}`;
    }
    afterInvoke();
  });
}
