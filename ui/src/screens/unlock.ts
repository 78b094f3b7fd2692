// A team workspace whose server asks for the database password (issue 17): this computer joined
// it before (its data directory names the server, never the password) and the password is not in
// COUNTERSIGN_DATABASE_PASSWORD. The password goes to the Rust side, which keeps it in memory
// only, until the app closes.
import { toCommandError, unlockTeam, type TeamView } from "../api";
import { errorBox, h } from "../dom";
import { t } from "../i18n";
import { field, value } from "./form";

export function renderUnlock(content: HTMLElement, team: TeamView, done: () => void): void {
  const submit = h("button", { id: "unlock-submit", type: "submit" }, t("unlock.submit"));
  const form = h(
    "form",
    { id: "unlock-form", class: "card" },
    h("h2", { id: "unlock-title" }, t("unlock.title")),
    h("p", { id: "unlock-intro" }, t("unlock.intro", { server: team.server, schema: team.schema })),
    field("unlock-password", t("team.password"), "password", "current-password"),
    h("p", { class: "hint" }, t("team.passwordHint")),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector("#unlock-error")?.remove();
    submit.disabled = true;
    try {
      await unlockTeam({ password: value(form, "unlock-password") });
      done();
    } catch (reason) {
      form.append(errorBox(toCommandError(reason), "unlock-error"));
      form.querySelector<HTMLInputElement>("#unlock-password")?.select();
    } finally {
      submit.disabled = false;
    }
  });
  content.replaceChildren(form);
  form.querySelector<HTMLInputElement>("#unlock-password")?.focus();
}
