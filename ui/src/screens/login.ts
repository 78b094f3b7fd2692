// Sign in: user, password and, for users who enrolled one, the current one-time code.
import { login, toCommandError, type WorkspaceStatus } from "../api";
import { errorBox, h } from "../dom";
import { t } from "../i18n";
import { field, value } from "./form";

export function renderLogin(content: HTMLElement, status: WorkspaceStatus, done: () => void): void {
  const form = h(
    "form",
    { id: "login-form", class: "card" },
    h("h2", { id: "login-title" }, t("login.title", { org: status.org_name ?? "Countersign" })),
    field("login-user", t("login.user"), "text", "username"),
    field("login-password", t("login.password"), "password", "current-password"),
    field("login-totp", t("login.totp"), "text", "one-time-code", false),
    h("button", { id: "login-submit", type: "submit" }, t("login.submit")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector("#login-error")?.remove();
    const totp = value(form, "login-totp").trim();
    try {
      await login({ user: value(form, "login-user"), password: value(form, "login-password"), totp: totp || null });
      // When the sign-in was answered: the queue's figure of docs/performance.md is measured from here.
      performance.mark(SIGNED_IN_MARK);
      done();
    } catch (reason) {
      form.append(errorBox(toCommandError(reason), "login-error"));
      form.querySelector<HTMLInputElement>("#login-password")?.select();
    }
  });
  content.replaceChildren(form);
  form.querySelector<HTMLInputElement>("#login-user")?.focus();
  // When the sign-in form first stood on screen: the cold-start figure of docs/performance.md.
  if (performance.getEntriesByName(SIGN_IN_MARK).length === 0) performance.mark(SIGN_IN_MARK);
}

/** The performance mark of the first sign-in form shown (read by tests/e2e/perf.mjs). */
export const SIGN_IN_MARK = "countersign:sign-in-form";

/** The performance mark of a sign-in answered (read by tests/e2e/perf.mjs). */
export const SIGNED_IN_MARK = "countersign:signed-in";
