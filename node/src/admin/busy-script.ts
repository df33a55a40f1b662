import type { AdminApp } from "./kit";

/**
 * The workspace's one script, for forms marked `data-busy` (the CSV check and import): after
 * the first submission their buttons are disabled and their status line says the node is working
 * and for how long, so a long check is neither sent twice nor left without a sign of progress.
 * Without JavaScript the forms work the same, and the node itself refuses to import one form
 * twice (a one-time key, see services/once.ts).
 */
export const BUSY_SCRIPT = `"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) return;
  if (form.dataset.sent === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  const status = form.querySelector("[data-busy-status]");
  if (status) status.hidden = false;
  const seconds = status ? status.querySelector("[data-busy-seconds]") : null;
  const started = Date.now();
  if (seconds) {
    setInterval(() => {
      seconds.textContent = String(Math.round((Date.now() - started) / 1000));
    }, 1000);
  }
  // The buttons carry no name, so disabling them now takes nothing from what is sent.
  for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = true;
});
// A page shown again from the back-forward cache: its forms can be sent again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll("form[data-busy]")) {
    delete form.dataset.sent;
    for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = false;
    const status = form.querySelector("[data-busy-status]");
    if (status) status.hidden = true;
  }
});
`;

/** Serves the script (the workspace's Content-Security-Policy allows scripts from itself only). */
export function registerBusyScript(admin: AdminApp) {
  admin.get("/assets/busy.js", (c) => {
    c.header("Content-Type", "text/javascript; charset=utf-8");
    return c.body(BUSY_SCRIPT);
  });
}
