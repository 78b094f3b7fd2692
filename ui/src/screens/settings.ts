// The admin's settings: users and roles (add, disable, enable, set a new first password; not for
// the signed-in admin's own row, which points to My account instead), the
// policy, our organisation's bank account, and the organisation key (a backup, a rotation with
// the statement for partners). Each section loads and answers on its own, so one refusal does
// not hide the rest. Every decision (who may, what is valid, whether a passphrase is right) is
// the core's; its answer is shown with its code beside the form. Passwords and passphrases live
// only in their form fields and are cleared as soon as they have been sent. Once two people can
// check changes, an approver or admin added or enabled, a new first password, a looser policy and
// our account wait for a second person: the notice says "Pending change N: …" instead.
import { sortable } from "../sortable";
import {
  addUser,
  backupOrgKey,
  getOrgAccount,
  getPolicy,
  listUsers,
  orgKeyInfo,
  resetUserPassword,
  rotateOrgKey,
  setOrgAccount,
  setPolicy,
  setUserDisabled,
  toCommandError,
  type OrgAccountView,
  type OrgKeyView,
  type PolicyView,
  type UserEntry,
} from "../api";
import { errorBox, h, notice } from "../dom";
import { codeName, formatDateTime, t } from "../i18n";
import type { Shell } from "../app";
import { outcomeNotice } from "./changes";

const ROLES = ["clerk", "approver", "admin", "auditor"] as const;

/** The policy's numeric settings, in the order shown. */
const NUMBERS = ["change_window_days", "rotation_window_days", "amount_unusual_factor", "amount_history_min", "approval_threshold_minor", "cooling_off_hours"] as const;
/** The policy's yes/no settings, in the order shown. */
const FLAGS = [
  "first_instruction_needs_callback",
  "shared_account_needs_callback",
  "close_name_match_needs_callback",
  "require_totp_for_approvers",
] as const;

/** The settings screen. */
export async function renderSettings(shell: Shell): Promise<void> {
  const title = h("h2", { id: "settings-title", tabindex: -1 }, t("settings.title"));
  const users = h("section", { id: "settings-users", class: "card" });
  const policy = h("section", { id: "settings-policy", class: "card" });
  const account = h("section", { id: "settings-account", class: "card" });
  const key = h("section", { id: "settings-key", class: "card" });
  shell.content.replaceChildren(title, users, policy, account, key);
  title.focus();
  await Promise.all([renderUsers(users, shell), renderPolicy(policy, shell), renderAccount(account, shell), renderKey(key)]);
}

/** A labelled input. */
function input(id: string, label: string, attrs: Record<string, string | number | boolean> = {}): [HTMLElement, HTMLInputElement] {
  const el = h("input", { id, name: id, type: "text", autocomplete: "off", spellcheck: "false", ...attrs });
  return [h("div", { class: "field" }, h("label", { for: id }, label), el), el];
}

/** A password input that the browser must not remember. */
function secret(id: string, label: string): [HTMLElement, HTMLInputElement] {
  return input(id, label, { type: "password", autocomplete: "new-password", required: true });
}

/**
 * Runs `send` with the button disabled; its error goes to `feedback`, its success too (a sentence,
 * or a notice already made, such as a pending change's).
 */
async function submitting(
  button: HTMLButtonElement,
  feedback: HTMLElement,
  id: string,
  send: () => Promise<string | HTMLElement | null>,
): Promise<boolean> {
  feedback.replaceChildren();
  button.disabled = true;
  try {
    const done = await send();
    if (done) feedback.replaceChildren(typeof done === "string" ? notice(done, `${id}-notice`) : done);
    return true;
  } catch (reason) {
    feedback.replaceChildren(errorBox(toCommandError(reason), `${id}-error`));
    return false;
  } finally {
    button.disabled = false;
  }
}

// Users --------------------------------------------------------------------------------------

async function renderUsers(section: HTMLElement, shell: Shell, message?: HTMLElement): Promise<void> {
  const heading = h("h3", {}, t("settings.users.title"));
  const feedback = h("div", { id: "users-feedback", "aria-live": "polite" }, message ?? null);
  let list: UserEntry[];
  try {
    list = await listUsers();
  } catch (reason) {
    section.replaceChildren(heading, errorBox(toCommandError(reason), "users-error"));
    return;
  }
  const again = (done: HTMLElement) => {
    shell.refreshStatus?.();
    void renderUsers(section, shell, done);
  };
  const rows = list.map((user) => userRow(user, shell, feedback, again));
  const table = h(
    "table",
    { id: "users-table" },
    h(
      "thead",
      {},
      h("tr", {}, h("th", {}, t("settings.users.name")), h("th", {}, t("settings.users.role")), h("th", {}, t("settings.users.status")), h("th", {}, t("settings.users.actions"))),
    ),
    h("tbody", {}, ...rows),
  );
  sortable(table, { skip: [3] });
  section.replaceChildren(heading, table, feedback, addUserForm(again));
}

function userRow(user: UserEntry, shell: Shell, feedback: HTMLElement, again: (done: HTMLElement) => void): HTMLElement {
  const actions = h("td", {});
  if (user.name === shell.user.name) {
    // The core refuses to disable oneself or to set one's own first password: one's own
    // password (with the current one) and second factor are changed on My account.
    const open = h("button", { id: `user-account-${user.name}`, type: "button", class: "secondary" }, t("account.settings.open"));
    open.addEventListener("click", () => shell.openAccount?.());
    actions.append(h("span", { class: "hint" }, t("account.settings.self")), " ", open);
  } else {
    actions.append(...otherUserActions(user, feedback, again, shell));
  }
  return h(
    "tr",
    { "data-user": user.name },
    h("td", {}, user.name),
    h("td", {}, codeName("role", user.role)),
    h("td", {}, user.disabled ? t("settings.users.disabled") : t("settings.users.active")),
    actions,
  );
}

/** Disable or enable another user, or set their new first password. */
function otherUserActions(user: UserEntry, feedback: HTMLElement, again: (done: HTMLElement) => void, shell: Shell): (HTMLElement | string)[] {
  const toggle = h(
    "button",
    { id: `user-toggle-${user.name}`, type: "button", class: "secondary" },
    user.disabled ? t("settings.users.enable") : t("settings.users.disable"),
  );
  toggle.addEventListener("click", () => {
    const disable = !user.disabled;
    void submitting(toggle, feedback, "users", async () => {
      const outcome = await setUserDisabled(user.name, disable);
      again(outcomeNotice(outcome, "users-notice", () => t(disable ? "settings.users.disabledDone" : "settings.users.enabledDone", { name: user.name })));
      return null;
    });
  });
  const reset = h("button", { id: `user-reset-${user.name}`, type: "button", class: "secondary" }, t("settings.users.reset"));
  reset.addEventListener("click", () => {
    reset.replaceWith(resetForm(user.name, feedback, shell));
    document.getElementById("reset-password")?.focus();
  });
  return [toggle, " ", reset];
}

/** An inline form for another user's new first password. */
function resetForm(name: string, feedback: HTMLElement, shell: Shell): HTMLElement {
  const [field, password] = secret("reset-password", t("settings.users.newPassword", { name }));
  const submit = h("button", { id: "reset-submit", type: "submit" }, t("settings.users.resetSubmit"));
  const form = h("form", { id: "reset-form", class: "inline" }, field, h("p", { class: "hint" }, t("settings.users.resetHint")), submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = password.value;
    password.value = "";
    void submitting(submit, feedback, "users", async () => {
      const outcome = await resetUserPassword({ name, password: typed });
      shell.refreshStatus?.();
      return outcomeNotice(outcome, "users-notice", () => t("settings.users.resetDone", { name }));
    });
  });
  return form;
}

function addUserForm(again: (done: HTMLElement) => void): HTMLElement {
  const [nameField, name] = input("new-user-name", t("settings.users.name"), { required: true });
  const role = h("select", { id: "new-user-role", name: "new-user-role" }, ...ROLES.map((r) => h("option", { value: r }, codeName("role", r))));
  const [passwordField, password] = secret("new-user-password", t("settings.users.firstPassword"));
  const submit = h("button", { id: "new-user-submit", type: "submit" }, t("settings.users.add"));
  const feedback = h("div", { id: "new-user-feedback", "aria-live": "polite" });
  const form = h(
    "form",
    { id: "new-user-form" },
    h("h4", {}, t("settings.users.addTitle")),
    nameField,
    h("div", { class: "field" }, h("label", { for: "new-user-role" }, t("settings.users.role")), role),
    passwordField,
    h("p", { class: "hint" }, t("settings.users.firstPasswordHint")),
    submit,
    feedback,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = password.value;
    password.value = "";
    void submitting(submit, feedback, "new-user", async () => {
      const outcome = await addUser({ name: name.value, role: role.value, password: typed });
      again(outcomeNotice(outcome, "users-notice", (added) => t("settings.users.added", { name: added.name, role: codeName("role", added.role) })));
      return null;
    });
  });
  return form;
}

// Policy -------------------------------------------------------------------------------------

async function renderPolicy(section: HTMLElement, shell: Shell): Promise<void> {
  const heading = h("h3", {}, t("settings.policy.title"));
  let current: PolicyView;
  try {
    current = await getPolicy();
  } catch (reason) {
    section.replaceChildren(heading, errorBox(toCommandError(reason), "policy-error"));
    return;
  }
  const numbers = NUMBERS.map((name) => input(`policy-${name}`, t(`settings.policy.${name}`), { type: "number", min: 0, step: 1, required: true, value: current[name] }));
  const flags = FLAGS.map((name) => {
    const box = h("input", { id: `policy-${name}`, name: `policy-${name}`, type: "checkbox", checked: current[name] });
    return [h("div", { class: "field check" }, box, h("label", { for: `policy-${name}` }, t(`settings.policy.${name}`))), box] as const;
  });
  const submit = h("button", { id: "policy-submit", type: "submit" }, t("settings.policy.save"));
  const feedback = h("div", { id: "policy-feedback", "aria-live": "polite" });
  const form = h(
    "form",
    { id: "policy-form" },
    h("p", { class: "hint" }, t("settings.policy.hint")),
    ...numbers.map(([field]) => field),
    ...flags.map(([field]) => field),
    submit,
    feedback,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = { ...current };
    NUMBERS.forEach((name, i) => (next[name] = Number(numbers[i][1].value)));
    FLAGS.forEach((name, i) => (next[name] = flags[i][1].checked));
    void submitting(submit, feedback, "policy", async () => {
      const outcome = await setPolicy(next);
      shell.refreshStatus?.();
      if (outcome.outcome === "applied") current = outcome.value;
      return outcomeNotice(outcome, "policy-notice", () => t("settings.policy.saved"));
    });
  });
  section.replaceChildren(heading, form);
}

// Organisation account -----------------------------------------------------------------------

async function renderAccount(section: HTMLElement, shell: Shell): Promise<void> {
  const heading = h("h3", {}, t("settings.account.title"));
  let current: OrgAccountView | null;
  try {
    current = await getOrgAccount();
  } catch (reason) {
    section.replaceChildren(heading, errorBox(toCommandError(reason), "account-error"));
    return;
  }
  const [nameField, name] = input("account-name", t("settings.account.name"), { value: current?.name ?? "" });
  const [ibanField, iban] = input("account-iban", t("settings.account.iban"), { required: true, value: current?.iban ?? "" });
  const [bicField, bic] = input("account-bic", t("settings.account.bic"), { required: true, value: current?.bic ?? "" });
  const [currencyField, currency] = input("account-currency", t("settings.account.currency"), { required: true, value: current?.currency ?? "EUR" });
  const submit = h("button", { id: "account-submit", type: "submit" }, t("settings.account.save"));
  const feedback = h("div", { id: "account-feedback", "aria-live": "polite" });
  const form = h(
    "form",
    { id: "account-form" },
    h("p", { class: "hint" }, t("settings.account.hint")),
    current ? null : h("p", { id: "account-unset", class: "warning" }, t("settings.account.unset")),
    nameField,
    h("p", { class: "hint" }, t("settings.account.nameHint")),
    ibanField,
    bicField,
    currencyField,
    submit,
    feedback,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitting(submit, feedback, "account", async () => {
      const outcome = await setOrgAccount({ name: name.value, iban: iban.value, bic: bic.value, currency: currency.value });
      shell.refreshStatus?.();
      if (outcome.outcome === "pending") return outcomeNotice(outcome, "account-notice", () => "");
      const saved = outcome.value;
      form.querySelector("#account-unset")?.remove();
      name.value = saved.name;
      iban.value = saved.iban;
      bic.value = saved.bic;
      currency.value = saved.currency;
      return t("settings.account.saved");
    });
  });
  section.replaceChildren(heading, form);
}

// Organisation key ---------------------------------------------------------------------------

async function renderKey(section: HTMLElement, message?: HTMLElement): Promise<void> {
  const heading = h("h3", {}, t("settings.key.title"));
  let info: OrgKeyView;
  try {
    info = await orgKeyInfo();
  } catch (reason) {
    section.replaceChildren(heading, errorBox(toCommandError(reason), "key-error"));
    return;
  }
  const facts = h(
    "dl",
    { class: "facts" },
    h("dt", {}, t("settings.key.fingerprint")),
    h("dd", {}, h("span", { id: "org-fingerprint", class: "fingerprint" }, info.fingerprint)),
  );
  const retired = info.retired.length
    ? h(
        "div",
        { id: "retired-keys" },
        h("h4", {}, t("settings.key.retired")),
        h("p", { class: "hint" }, t("settings.key.retiredHint")),
        h("ul", {}, ...info.retired.map((k) => h("li", {}, h("span", { class: "fingerprint-small" }, k.fingerprint), " ", t("settings.key.retiredAt", { at: formatDateTime(k.retired_at) })))),
      )
    : "";
  section.replaceChildren(
    heading,
    h("p", { class: "hint" }, t("settings.key.hint")),
    facts,
    retired,
    h("div", { id: "key-feedback", "aria-live": "polite" }, message ?? null),
    backupForm(),
    rotateForm(section),
  );
}

function backupForm(): HTMLElement {
  const [field, passphrase] = secret("backup-passphrase", t("settings.key.passphrase"));
  const submit = h("button", { id: "backup-submit", type: "submit" }, t("settings.key.backup"));
  const feedback = h("div", { id: "backup-feedback", "aria-live": "polite" });
  const form = h("form", { id: "backup-form" }, h("h4", {}, t("settings.key.backupTitle")), h("p", { class: "hint" }, t("settings.key.backupHint")), field, submit, feedback);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = passphrase.value;
    passphrase.value = "";
    void submitting(submit, feedback, "backup", async () => {
      const saved = await backupOrgKey({ passphrase: typed });
      return t("settings.key.backupDone", { path: saved.saved_to });
    });
  });
  return form;
}

function rotateForm(section: HTMLElement): HTMLElement {
  const [currentField, current] = secret("rotate-passphrase", t("settings.key.passphrase"));
  const [newField, next] = secret("rotate-new-passphrase", t("settings.key.newPassphrase"));
  const confirm = h("input", { id: "rotate-confirm", type: "checkbox", required: true });
  const submit = h("button", { id: "rotate-submit", type: "submit", class: "danger" }, t("settings.key.rotate"));
  const feedback = h("div", { id: "rotate-feedback", "aria-live": "polite" });
  const form = h(
    "form",
    { id: "rotate-form" },
    h("h4", {}, t("settings.key.rotateTitle")),
    h("p", { class: "hint" }, t("settings.key.rotateHint")),
    currentField,
    newField,
    h("p", { class: "hint" }, t("settings.key.newPassphraseHint")),
    h("div", { class: "field check" }, confirm, h("label", { for: "rotate-confirm" }, t("settings.key.rotateConfirm"))),
    submit,
    feedback,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = { passphrase: current.value, new_passphrase: next.value };
    current.value = "";
    next.value = "";
    void submitting(submit, feedback, "rotate", async () => {
      const done = await rotateOrgKey(typed);
      const result = h(
        "div",
        { id: "rotate-result", class: "notice", role: "status" },
        h("p", {}, t("settings.key.rotated", { old: done.old_fingerprint, new: done.new_fingerprint })),
        h("p", {}, t("settings.key.statementSaved"), " ", h("code", { id: "rotate-saved" }, done.saved_to)),
        h("p", { class: "hint" }, t("settings.key.rotatedNext")),
      );
      await renderKey(section, result);
      return null;
    });
  });
  return form;
}
