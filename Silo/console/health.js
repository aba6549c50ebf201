// A function's health, derived from its endpoints as GET /admin/functions/{name} reports them: an endpoint is
// usable unless its health checks failed (unhealthy) or its circuit breaker is open; half-open is probing.

/** { state: "healthy" | "degraded" | "down" | "inactive" | "unknown", reason } */
export function functionHealth(fn) {
  if (!fn.is_active) return { state: "inactive", reason: "Not active." };
  const endpoints = fn.health;
  if (!Array.isArray(endpoints) || endpoints.length === 0) return { state: "unknown", reason: "No endpoint status reported." };
  const usable = endpoints.filter((e) => e.state !== "unhealthy" && e.circuit !== "open");
  const probing = endpoints.filter((e) => e.circuit === "half_open").length;
  const unchecked = fn.health_check === false ? " Health checks are off: endpoints count as up until their circuit opens." : "";
  if (usable.length === 0) {
    return { state: "down", reason: `No endpoint is usable (${describeAll(endpoints)}).` };
  }
  if (usable.length < endpoints.length || probing > 0) {
    return { state: "degraded", reason: `${usable.length} of ${endpoints.length} endpoints usable${probing ? `, ${probing} probing after an open circuit` : ""}.` };
  }
  return { state: "healthy", reason: `${endpoints.length === 1 ? "The endpoint is" : `All ${endpoints.length} endpoints are`} usable.${unchecked}` };
}

function describeAll(endpoints) {
  const unhealthy = endpoints.filter((e) => e.state === "unhealthy").length;
  const open = endpoints.filter((e) => e.circuit === "open").length;
  return [unhealthy && `${unhealthy} failing health checks`, open && `${open} with an open circuit`].filter(Boolean).join(", ");
}

/** Outcome counts grouped as the console shows them. */
export function outcomeGroups(outcomes = {}) {
  const get = (name) => outcomes[name] ?? 0;
  const failed = Object.entries(outcomes)
    .filter(([name]) => !["succeeded", "timed_out", "throttled", "accepted"].includes(name))
    .reduce((sum, [, count]) => sum + count, 0);
  return { succeeded: get("succeeded"), failed, timedOut: get("timed_out"), throttled: get("throttled") };
}
