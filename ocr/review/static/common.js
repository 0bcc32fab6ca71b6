// Shared by every page: the CSRF token, JSON calls to the API, messages.
"use strict";

const OCR = (() => {
  const meta = (name) => {
    const el = document.querySelector(`meta[name="${name}"]`);
    return el ? el.content : "";
  };
  const csrf = meta("csrf");
  const role = meta("role");

  async function api(method, url, body) {
    const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = csrf;
      options.body = JSON.stringify(body || {});
    }
    let response;
    try {
      response = await fetch(url, options);
    } catch (err) {
      return { ok: false, status: 0, data: { error: "the server cannot be reached: nothing was lost, try again" } };
    }
    let data = {};
    try {
      data = await response.json();
    } catch (err) {
      data = { error: `${response.status} ${response.statusText}` };
    }
    if (response.status === 401) {
      toast("Your session ended: log in again (in another tab, to keep what you typed here).", "error");
    }
    return { ok: response.ok, status: response.status, data };
  }

  let timer = null;
  function toast(message, kind) {
    const el = document.getElementById("toast");
    if (!el) return;
    el.textContent = message;
    el.className = kind || "info";
    el.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { el.hidden = true; }, kind === "error" ? 8000 : 2500);
  }

  function explain(result) {
    const messages = {
      403: "Not allowed: ",
      404: "Not found: ",
      409: "Changed by someone else: ",
      429: "Too many tries: ",
    };
    return (messages[result.status] || "Error: ") + (result.data.error || result.status);
  }

  return { api, toast, explain, csrf, role, canWrite: role === "admin" || role === "reviewer" };
})();
