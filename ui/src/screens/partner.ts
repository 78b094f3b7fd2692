// One partner: its keys (status and how each was verified), the on-file numbers (the only ones a
// callback may dial), the account history as a timeline, and the admin's actions: accept a
// key-rotation statement (the new key's fingerprint read back by the partner on a call to a number
// on file, chosen from those numbers), revoke a key with a reason, apply a revocation signed by
// the partner's recovery key (issue 20; offered only where one is pinned), issue our bank details
// to this partner. Once two people can check changes, an accepted rotation waits for a second person.
// The buttons show for everyone; whether the signed-in user may act is the core's answer,
// shown beside the button.
import {
  addPartnerPhone,
  partnerDetail,
  pickPartnerFile,
  revokePartnerKey,
  importKeyRevocation,
  rotatePartnerKey,
  toCommandError,
  type PartnerView,
} from "../api";
import { errorBox, h, notice } from "../dom";
import { codeName, formatDateTime, hasKey, t } from "../i18n";
import type { Shell } from "../app";
import { fingerprintGroups } from "./partners";
import { provenanceText } from "../provenance";
import { may } from "../access";
import { fileChoice } from "./form";
import { renderIssue } from "./issue";
import { outcomeText } from "./changes";

export async function renderPartner(shell: Shell, id: number, message?: string): Promise<void> {
  const { content } = shell;
  const back = shell.beside ? null : h("button", { id: "back-to-partners", type: "button", class: "secondary" }, t("partners.back"));
  back?.addEventListener("click", () => shell.openPartners());
  let view: PartnerView;
  try {
    view = await partnerDetail(id);
  } catch (reason) {
    content.replaceChildren(...(back ? [h("div", { class: "row" }, back)] : []), errorBox(toCommandError(reason), "partner-error"));
    return;
  }
  const p = view.summary;
  const title = h("h2", { id: "partner-title", tabindex: -1 }, p.name);
  const reload = (text?: string) => void renderPartner(shell, id, text);
  const actionError = h("div", { "aria-live": "assertive" });
  const fail = (reason: unknown) => {
    const box = errorBox(toCommandError(reason), "partner-error");
    actionError.replaceChildren(box);
    box.scrollIntoView?.({ block: "nearest" });
  };
  content.replaceChildren(
    ...(back ? [h("div", { class: "row" }, back)] : []),
    title,
    h("div", { id: "partner-feedback", "aria-live": "polite" }, message ? notice(message, "partner-notice") : null),
    h(
      "section",
      { class: "card" },
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, t("partners.col.country")),
        h("dd", { id: "partner-country" }, p.country ?? "—"),
        h("dt", {}, t("partners.page.domains")),
        h("dd", { id: "partner-domains" }, view.domains.length > 0 ? view.domains.join(", ") : "—"),
        h("dt", {}, t("partners.page.onboarded")),
        h("dd", {}, t("partners.page.byAt", { who: view.created_by, at: formatDateTime(view.created_at) })),
      ),
    ),
    ...(view.freezes.length > 0 ? [freezesSection(view)] : []),
    keysSection(view),
    phonesSection(view),
    accountsSection(view),
    actionsSection(shell, view, reload, fail, actionError),
  );
  title.focus();
}

/** The partner's freezes (issue 20): a standing one first and in words, lifted ones after. */
export function freezesSection(view: PartnerView): HTMLElement {
  const entry = (f: PartnerView["freezes"][number]) =>
    h(
      "li",
      { class: "freeze", "data-freeze": f.id, "data-lifted": String(f.lifted_how !== null) },
      t("freeze.page.entry", {
        id: f.id,
        role: codeName("freezeRole", f.signed_by),
        scope: f.except ? t("freeze.banner.allBut", { account: f.except }) : t("freeze.banner.all"),
        since: formatDateTime(f.effective_from),
        reason: f.reason,
        who: f.received_by,
        at: formatDateTime(f.received_at),
      }),
      f.lifted_how ? ` ${t("freeze.page.lifted", { how: codeName("freezeLift", f.lifted_how), who: f.lifted_by ?? "—", at: formatDateTime(f.lifted_at ?? "") })}` : "",
    );
  return h(
    "section",
    { id: "partner-freezes", class: view.frozen ? "card error" : "card", "aria-labelledby": "partner-freezes-title", "data-frozen": String(view.frozen) },
    h("h3", { id: "partner-freezes-title" }, t("freeze.page.title")),
    view.frozen ? h("p", { id: "partner-frozen" }, h("strong", {}, t("freeze.page.standing"))) : null,
    h("ul", {}, ...view.freezes.map(entry)),
  );
}

/** A status or source word from the catalogue; the core's own word for one it does not know. */
function word(prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return hasKey(key) ? t(key) : value;
}

function keysSection(view: PartnerView): HTMLElement {
  return h(
    "section",
    { class: "card", "aria-labelledby": "partner-keys-title" },
    h("h3", { id: "partner-keys-title" }, t("partners.page.keys")),
    recoveryKey(view),
    h(
      "ul",
      { id: "partner-keys", class: "keys" },
      ...view.keys.map((k) =>
        h(
          "li",
          { "data-status": k.status, "data-fingerprint": k.fingerprint },
          fingerprintGroups(k.fingerprint, `key-${k.fingerprint.replace(/\s+/g, "")}`),
          h("span", { class: `badge key-${k.status}` }, word("partners.key", k.status)),
          h("p", { class: "hint" }, t("partners.key.verified", { how: k.verified_how, at: formatDateTime(k.verified_at) })),
          k.status_changed_at
            ? h("p", { class: "hint" }, t("partners.key.changed", { at: formatDateTime(k.status_changed_at), why: k.status_reason ?? "" }))
            : null,
        ),
      ),
    ),
  );
}

/** Whether the partner's pinned card names an offline recovery key (issue 20), and its fingerprint. */
function recoveryKey(view: PartnerView): HTMLElement {
  if (view.recovery_key === null) {
    return h("p", { id: "partner-recovery-key", class: "hint warning", "data-recovery": "none" }, t("partners.recovery.none"));
  }
  return h(
    "div",
    { id: "partner-recovery-key", "data-recovery": "pinned" },
    h("p", {}, t("partners.recovery.pinned")),
    fingerprintGroups(view.recovery_key, "partner-recovery-fingerprint"),
  );
}

function phonesSection(view: PartnerView): HTMLElement {
  return h(
    "section",
    { class: "card", "aria-labelledby": "partner-phones-title" },
    h("h3", { id: "partner-phones-title" }, t("partners.page.phones")),
    h("p", { class: "hint" }, t("partners.page.phonesHint")),
    h(
      "ul",
      { id: "partner-phones" },
      ...view.phones.map((ph) =>
        h(
          "li",
          { "data-e164": ph.e164 },
          h("strong", { class: "phone" }, ph.display),
          ph.label ? h("span", { class: "phone-label" }, ` · ${ph.label}`) : null,
          " ",
          // Issue 20: where it came from, worded by its code in the user's language.
          h("span", { class: "hint phone-provenance", "data-source": ph.source }, provenanceText(ph)),
        ),
      ),
    ),
  );
}

/** The account history, oldest first, as a timeline: when each account was first and last seen. */
function accountsSection(view: PartnerView): HTMLElement {
  return h(
    "section",
    { class: "card", "aria-labelledby": "partner-accounts-title" },
    h("h3", { id: "partner-accounts-title" }, t("partners.page.accounts")),
    view.accounts.length === 0
      ? h("p", { id: "partner-accounts-empty", class: "hint" }, t("partners.page.noAccounts"))
      : h(
          "ol",
          { id: "partner-accounts", class: "timeline" },
          ...view.accounts.map((a) =>
            h(
              "li",
              { "data-status": a.status },
              h("time", { datetime: a.first_seen }, formatDateTime(a.first_seen)),
              " ",
              h("span", { class: "account" }, a.display),
              ` · ${a.bic} · `,
              h("span", { class: `badge account-${a.status}` }, word("partners.account", a.status)),
              h(
                "p",
                { class: "hint" },
                word("partners.source", a.source),
                " · ",
                t("partners.page.lastSeen", { at: formatDateTime(a.last_seen) }),
                a.cases.length > 0 ? ` · ${t("partners.page.cases", { cases: a.cases.map((c) => `#${c}`).join(", ") })}` : "",
              ),
            ),
          ),
        ),
  );
}

/**
 * Issue 20: a revocation the partner's recovery key signed, from the file the partner sent (the
 * CLI's `partner revoke-key ID --statement FILE`); offered when the partner's card named a
 * recovery key. The core checks the signature against that key and applies it at once.
 */
function recoveryRevocationForm(id: number, reload: (message?: string) => void, fail: (reason: unknown) => void): HTMLElement {
  let chosen: string | null = null;
  const submit = h("button", { id: "recovery-revoke-submit", type: "submit", class: "danger", disabled: true }, t("partners.recoveryRevoke.submit"));
  const file = fileChoice(
    { button: "recovery-revoke-pick", chosen: "recovery-revoke-file" },
    { button: t("partners.chooseFile"), none: t("partners.recoveryRevoke.noFile") },
    () => pickPartnerFile("revocation"),
    (path) => {
      chosen = path;
      submit.disabled = false;
    },
    fail,
  );
  const form = h(
    "form",
    { id: "recovery-revoke-form" },
    h("h4", {}, t("partners.recoveryRevoke.title")),
    h("p", { class: "hint" }, t("partners.recoveryRevoke.hint")),
    file,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (chosen === null) return;
    try {
      const fingerprint = await importKeyRevocation(id, chosen);
      reload(t("partners.recoveryRevoke.done", { fingerprint }));
    } catch (reason) {
      fail(reason);
    }
  });
  return form;
}

function actionsSection(
  shell: Shell,
  view: PartnerView,
  reload: (message?: string) => void,
  fail: (reason: unknown) => void,
  actionError: HTMLElement,
): HTMLElement {
  const id = view.summary.id;

  const statement = h("input", { id: "rotate-path", type: "text", autocomplete: "off", spellcheck: "false", required: true });
  const pick = h("button", { id: "rotate-pick", type: "button", class: "secondary" }, t("partners.chooseFile"));
  pick.addEventListener("click", async () => {
    try {
      const chosen = await pickPartnerFile("statement");
      if (chosen) statement.value = chosen;
    } catch (reason) {
      fail(reason);
    }
  });
  const readBack = h("input", { id: "rotate-typed", type: "text", autocomplete: "off", spellcheck: "false", inputmode: "numeric", required: true });
  // Only the partner's on-file numbers: never one from the email or the statement.
  const dialed = h("select", { id: "rotate-dialed", required: true }, ...view.phones.map((ph) => h("option", { value: ph.e164 }, ph.display)));
  const rotate = h(
    "form",
    { id: "rotate-form" },
    h("h4", {}, t("partners.rotate.title")),
    h("p", { class: "hint" }, t("partners.rotate.hint")),
    h("div", { class: "field" }, h("label", { for: "rotate-path" }, t("partners.rotate.file")), h("div", { class: "row" }, statement, pick)),
    h("p", { class: "warning" }, t("partners.rotate.readbackHint")),
    view.phones.length > 0
      ? h("div", { class: "field" }, h("label", { for: "rotate-dialed" }, t("partners.rotate.dialed")), dialed)
      : h("p", { id: "rotate-no-phones", class: "error" }, t("partners.rotate.noPhones")),
    h("div", { class: "field" }, h("label", { for: "rotate-typed" }, t("partners.rotate.readback")), readBack),
    h("button", { id: "rotate-submit", type: "submit" }, t("partners.rotate.submit")),
  );
  rotate.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const outcome = await rotatePartnerKey({
        id,
        statement_path: statement.value.trim(),
        confirm_fingerprint: readBack.value,
        dialed: dialed.value,
      });
      shell.refreshStatus?.();
      reload(outcomeText(outcome, (fingerprint) => t("partners.rotate.done", { fingerprint })));
    } catch (reason) {
      fail(reason);
      readBack.select();
    }
  });

  const revocable = view.keys.filter((k) => k.status !== "revoked");
  const which = h(
    "select",
    { id: "revoke-key" },
    ...revocable.map((k) => h("option", { value: k.fingerprint, selected: k.status === "active" }, `${k.fingerprint} (${word("partners.key", k.status)})`)),
  );
  const reason = h("input", { id: "revoke-reason", type: "text", autocomplete: "off", required: true });
  const revoke = h(
    "form",
    { id: "revoke-form" },
    h("h4", {}, t("partners.revoke.title")),
    h("p", { class: "hint" }, t("partners.revoke.hint")),
    h("div", { class: "field" }, h("label", { for: "revoke-key" }, t("partners.revoke.key")), which),
    h("div", { class: "field" }, h("label", { for: "revoke-reason" }, t("partners.revoke.reason")), reason),
    h("button", { id: "revoke-submit", type: "submit", class: "danger" }, t("partners.revoke.submit")),
  );
  revoke.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const fingerprint = await revokePartnerKey(id, which.value || null, reason.value);
      reload(t("partners.revoke.done", { fingerprint }));
    } catch (e) {
      fail(e);
    }
  });

  // Issue 20: one more number on file, with its label; a change a second person approves, never
  // offered for an instruction that arrived before it.
  const number = h("input", { id: "phone-number", type: "tel", autocomplete: "off", spellcheck: "false", required: true });
  const numberLabel = h("input", { id: "phone-label", type: "text", autocomplete: "off" });
  const addPhone = h(
    "form",
    { id: "phone-form" },
    h("h4", {}, t("partners.phone.title")),
    h("p", { class: "hint" }, t("partners.phone.hint")),
    h("div", { class: "field" }, h("label", { for: "phone-number" }, t("partners.phone.number")), number),
    h("div", { class: "field" }, h("label", { for: "phone-label" }, t("partners.phone.label")), numberLabel),
    h("button", { id: "phone-submit", type: "submit" }, t("partners.phone.submit")),
  );
  addPhone.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const label = numberLabel.value.trim();
      const outcome = await addPartnerPhone(id, { number: number.value, label: label === "" ? null : label });
      shell.refreshStatus?.();
      reload(outcomeText(outcome, () => t("partners.phone.done", { number: number.value.trim() })));
    } catch (reason) {
      fail(reason);
    }
  });

  const issue = h("button", { id: "partner-issue", type: "button", class: "secondary" }, t("issue.forPartner"));
  issue.addEventListener("click", () => {
    shell.setScreen("issue");
    void renderIssue(shell, id);
  });

  return h(
    "section",
    { id: "partner-actions", class: "card", "aria-label": t("partners.page.actions") },
    h("h3", {}, t("partners.page.actions")),
    rotate,
    revocable.length > 0 ? revoke : h("p", { class: "hint" }, t("partners.revoke.none")),
    revocable.length > 0 && view.recovery_key !== null && may(shell.user, "partner.revoke_key")
      ? recoveryRevocationForm(id, reload, fail)
      : null,
    may(shell.user, "partner.add") ? addPhone : null,
    h("div", { class: "row" }, issue),
    actionError,
  );
}
