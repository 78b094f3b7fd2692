// First run: no workspace yet. Three ways to start: create a workspace on this computer
// (organisation, first admin, passphrase, password), join a team workspace on a PostgreSQL server
// (server, port, database, schema, user, the server's CA file, the database password), or create
// a new team workspace on a server (both). The Rust side checks every value and its message is
// shown as it is; the database password stays in memory on the Rust side and is never sent back.
import {
  createTeamWorkspace,
  createWorkspace,
  joinTeam,
  pickCaFile,
  toCommandError,
  type NewWorkspace,
  type ServerRequest,
  type WorkspaceStatus,
} from "../api";
import { errorBox, h } from "../dom";
import { t } from "../i18n";
import { field, value } from "./form";

/** How this computer will work: alone, joining a team's workspace, or creating one on a server. */
export type SetupMode = "local" | "join" | "team";

const MODES: readonly SetupMode[] = ["local", "join", "team"];

/** The schema a team workspace lives in unless the administrator chose another. */
export const DEFAULT_SCHEMA = "countersign";
/** PostgreSQL's port. */
export const DEFAULT_PORT = "5432";

/** The port typed, as a number; 0 (which the Rust side refuses with a sentence) when it is not one. */
export function parsePort(text: string): number {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return 0;
  const port = Number(trimmed);
  return port <= 65535 ? port : 0;
}

/** The server's fields of the form, as the Rust side takes them. */
export function serverRequest(form: ParentNode): ServerRequest {
  const ca = value(form, "team-ca").trim();
  return {
    host: value(form, "team-host").trim(),
    port: parsePort(value(form, "team-port")),
    database: value(form, "team-database").trim(),
    schema: value(form, "team-schema").trim(),
    user: value(form, "team-user").trim(),
    ca_file: ca === "" ? null : ca,
    password: value(form, "team-password"),
  };
}

/** The workspace's fields of the form. */
export function newWorkspace(form: ParentNode): NewWorkspace {
  return {
    org_name: value(form, "setup-org"),
    admin: value(form, "setup-admin"),
    passphrase: value(form, "setup-passphrase"),
    password: value(form, "setup-password"),
  };
}

/** The catalogue key of the first secret whose two typings differ, if any. */
export function typedTwiceMismatch(form: ParentNode): string | null {
  if (value(form, "setup-password") !== value(form, "setup-password-again")) return "setup.passwordMismatch";
  if (value(form, "setup-passphrase") !== value(form, "setup-passphrase-again")) return "setup.passphraseMismatch";
  return null;
}

/** What the mode asks for: the server's fields, the workspace's fields, and the button. */
export function modeParts(mode: SetupMode): { server: boolean; workspace: boolean; submit: string } {
  switch (mode) {
    case "local":
      return { server: false, workspace: true, submit: t("setup.submit") };
    case "join":
      return { server: true, workspace: false, submit: t("team.joinSubmit") };
    case "team":
      return { server: true, workspace: true, submit: t("team.createSubmit") };
  }
}

export function renderSetup(content: HTMLElement, status: WorkspaceStatus, done: () => void, mode: SetupMode = "local"): void {
  const choice = h(
    "section",
    { id: "setup-choice", class: "card" },
    h("h2", {}, t("first.title")),
    h("p", {}, t("first.intro", { dir: status.dir })),
    h("div", { class: "choices", role: "radiogroup", "aria-label": t("first.title") }, ...MODES.map((m) => modeChoice(m, m === mode))),
  );
  const server = serverFields();
  const workspace = workspaceFields();
  const submit = h("button", { id: "setup-submit", type: "submit" }, "");
  const progress = h("p", { id: "setup-progress", class: "hint", hidden: true }, t("team.connecting"));
  const form = h("form", { id: "setup-form", class: "card", "data-mode": mode }, server, workspace, h("div", { class: "row" }, submit, progress));
  const show = (next: SetupMode) => {
    mode = next;
    const parts = modeParts(next);
    form.dataset.mode = next;
    // A disabled fieldset's fields are neither required nor sent.
    server.hidden = server.disabled = !parts.server;
    workspace.hidden = workspace.disabled = !parts.workspace;
    server.querySelector<HTMLElement>("#team-owner-hint")!.hidden = next !== "team";
    submit.textContent = parts.submit;
    form.querySelector("#setup-error")?.remove();
  };
  choice.addEventListener("change", (event) => {
    const picked = (event.target as HTMLInputElement).value as SetupMode;
    if (MODES.includes(picked)) show(picked);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelector("#setup-error")?.remove();
    // Each secret is typed twice; a slip is caught here, before anything is made. (The core
    // refuses a passphrase equal to the password itself.)
    const mismatch = workspace.disabled ? null : typedTwiceMismatch(form);
    if (mismatch) {
      form.append(h("p", { id: "setup-error", class: "error", role: "alert", "data-code": "mismatch" }, t(mismatch)));
      return;
    }
    submit.disabled = true;
    progress.hidden = mode === "local";
    try {
      if (mode === "local") await createWorkspace(newWorkspace(form));
      else if (mode === "join") await joinTeam(serverRequest(form));
      else await createTeamWorkspace({ server: serverRequest(form), workspace: newWorkspace(form) });
      done();
    } catch (reason) {
      form.append(errorBox(toCommandError(reason), "setup-error"));
    } finally {
      submit.disabled = false;
      progress.hidden = true;
    }
  });
  show(mode);
  content.replaceChildren(choice, form);
  form.querySelector<HTMLInputElement>(mode === "local" ? "#setup-org" : "#team-host")?.focus();
}

/** One of the three ways to start, as a radio button with its explanation. */
function modeChoice(mode: SetupMode, checked: boolean): HTMLElement {
  const id = `setup-mode-${mode}`;
  const [name, hint] = { local: ["first.local", "first.localHint"], join: ["first.join", "first.joinHint"], team: ["first.team", "first.teamHint"] }[mode];
  return h(
    "label",
    { class: "choice", for: id },
    h("input", { id, type: "radio", name: "setup-mode", value: mode, checked }),
    h("span", {}, h("strong", {}, t(name)), h("span", { class: "hint" }, t(hint))),
  );
}

/** Where the team workspace is: server, port, database, schema, user, CA file, password. */
function serverFields(): HTMLFieldSetElement {
  const set = h(
    "fieldset",
    { id: "team-server" },
    h("legend", {}, t("team.serverTitle")),
    h("div", { class: "field-row" }, field("team-host", t("team.host"), "text", "off"), field("team-port", t("team.port"), "text", "off")),
    h("div", { class: "field-row" }, field("team-database", t("team.database")), field("team-schema", t("team.schema"))),
    field("team-user", t("team.user"), "text", "username"),
    h("p", { id: "team-owner-hint", class: "hint" }, t("team.ownerHint")),
    caField(),
    field("team-password", t("team.password"), "password", "current-password", false),
    h("p", { class: "hint" }, t("team.passwordHint")),
  );
  set.querySelector<HTMLInputElement>("#team-port")!.value = DEFAULT_PORT;
  set.querySelector<HTMLInputElement>("#team-port")!.inputMode = "numeric";
  set.querySelector<HTMLInputElement>("#team-schema")!.value = DEFAULT_SCHEMA;
  return set;
}

/** The CA file: typed, or chosen with the file chooser on the Rust side. */
function caField(): HTMLElement {
  const wrapper = field("team-ca", t("team.ca"), "text", "off", false);
  const input = wrapper.querySelector<HTMLInputElement>("#team-ca")!;
  input.setAttribute("aria-describedby", "team-ca-hint");
  const pick = h("button", { id: "team-ca-pick", type: "button", class: "secondary" }, t("team.caPick"));
  pick.addEventListener("click", async () => {
    try {
      const chosen = await pickCaFile();
      if (chosen) input.value = chosen;
    } catch (reason) {
      wrapper.append(errorBox(toCommandError(reason), "team-ca-error"));
    }
  });
  const row = h("div", { class: "row tight" });
  input.before(row);
  row.append(input, pick);
  wrapper.append(h("p", { id: "team-ca-hint", class: "hint" }, t("team.caHint")));
  return wrapper;
}

/** The workspace itself: organisation, first admin, password, passphrase. */
function workspaceFields(): HTMLFieldSetElement {
  return h(
    "fieldset",
    { id: "setup-workspace" },
    h("legend", {}, t("team.workspaceTitle")),
    field("setup-org", t("setup.org"), "text", "organization"),
    field("setup-admin", t("setup.admin"), "text", "username"),
    field("setup-password", t("setup.password"), "password", "new-password"),
    field("setup-password-again", t("setup.passwordAgain"), "password", "new-password"),
    field("setup-passphrase", t("setup.passphrase"), "password", "off"),
    field("setup-passphrase-again", t("setup.passphraseAgain"), "password", "off"),
    h("p", { class: "hint" }, t("setup.passphraseHint")),
  );
}
