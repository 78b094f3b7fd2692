// First run: no workspace yet. Creates one (organisation, first admin, passphrase, password);
// the core checks every value and its message is shown as it is.
import { createWorkspace, toCommandError, type WorkspaceStatus } from "../api";
import { errorBox, h } from "../dom";
import { field } from "./form";

export function renderSetup(content: HTMLElement, status: WorkspaceStatus, done: () => void): void {
  const form = h(
    "form",
    { id: "setup-form", class: "card" },
    h("h2", {}, "Create your workspace"),
    h("p", {}, `No workspace yet in ${status.dir}. Create one for your organisation; you will be its first administrator.`),
    field("setup-org", "Organisation name", "text", "organization"),
    field("setup-admin", "Your user name", "text", "username"),
    field("setup-password", "Your password", "password", "new-password"),
    field("setup-passphrase", "Passphrase for the organisation's signing key", "password", "off"),
    h("p", { class: "hint" }, "Keep the passphrase apart from your password: it unlocks the key that signs your organisation's own bank details."),
    h("button", { id: "setup-submit", type: "submit" }, "Create workspace"),
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
