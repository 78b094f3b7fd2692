// First run: no workspace yet. Creates one (organisation, first admin, passphrase, password);
// the core checks every value and its message is shown as it is.
import { createWorkspace, toCommandError, type WorkspaceStatus } from "../api";
import { errorBox, h } from "../dom";
import { t } from "../i18n";
import { field } from "./form";

export function renderSetup(content: HTMLElement, status: WorkspaceStatus, done: () => void): void {
  const form = h(
    "form",
    { id: "setup-form", class: "card" },
    h("h2", {}, t("setup.title")),
    h("p", {}, t("setup.intro", { dir: status.dir })),
    field("setup-org", t("setup.org"), "text", "organization"),
    field("setup-admin", t("setup.admin"), "text", "username"),
    field("setup-password", t("setup.password"), "password", "new-password"),
    field("setup-passphrase", t("setup.passphrase"), "password", "off"),
    h("p", { class: "hint" }, t("setup.passphraseHint")),
    h("button", { id: "setup-submit", type: "submit" }, t("setup.submit")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector("#setup-error")?.remove();
    const value = (id: string) => (form.querySelector<HTMLInputElement>(`#${id}`)?.value ?? "");
    try {
      await createWorkspace({
        org_name: value("setup-org"),
        admin: value("setup-admin"),
        passphrase: value("setup-passphrase"),
        password: value("setup-password"),
      });
      done();
    } catch (reason) {
      form.append(errorBox(toCommandError(reason), "setup-error"));
    }
  });
  content.replaceChildren(form);
  form.querySelector<HTMLInputElement>("#setup-org")?.focus();
}
