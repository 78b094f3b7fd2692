// "Switch user" (issue 19): a second person (the approver after a clerk's callback) signs in over
// the open screen, which stays behind the form and is opened again for them. The core's login
// decides, with its lockout and second-factor rules; until a login succeeds the person signed in
// stays, and Cancel (or Escape) goes back to their screen unchanged. The password is read from its
// field, which is cleared before the request is sent.
import { switchUser, toCommandError } from "../api";
import { errorBox, h } from "../dom";
import { t } from "../i18n";
import { field, value } from "./form";

/** Opens the switch-user form over `root`; `switched` runs once another user is signed in. */
export function openSwitchUser(root: HTMLElement, current: string, switched: () => void): void {
  root.querySelector("#switch-user")?.remove();
  const cancel = h("button", { id: "switch-cancel", type: "button", class: "secondary" }, t("switch.cancel"));
  const form = h(
    "form",
    { id: "switch-form", class: "card" },
    h("h2", { id: "switch-title" }, t("switch.title")),
    h("p", { class: "hint" }, t("switch.hint", { user: current })),
    field("switch-user-name", t("login.user"), "text", "username"),
    field("switch-password", t("login.password"), "password", "current-password"),
    field("switch-totp", t("login.totp"), "text", "one-time-code", false),
    h("div", { class: "row" }, h("button", { id: "switch-submit", type: "submit" }, t("switch.submit")), cancel),
  );
  const dialog = h("div", { id: "switch-user", class: "overlay", role: "dialog", "aria-modal": "true", "aria-labelledby": "switch-title" }, form);
  const close = () => dialog.remove();
  cancel.addEventListener("click", close);
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector("#switch-error")?.remove();
    const password = form.querySelector<HTMLInputElement>("#switch-password")!;
    const secret = password.value;
    password.value = "";
    const totp = value(form, "switch-totp").trim();
    try {
      await switchUser({ user: value(form, "switch-user-name"), password: secret, totp: totp || null });
      close();
      switched();
    } catch (reason) {
      form.append(errorBox(toCommandError(reason), "switch-error"));
      password.focus();
    }
  });
  root.append(dialog);
  form.querySelector<HTMLInputElement>("#switch-user-name")?.focus();
}
