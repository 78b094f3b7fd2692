// Partners: the list, and the onboarding wizard. The wizard's steps: choose the partner's card →
// its fingerprint (large, in groups) and QR code → the fingerprint typed as the partner reads it
// on the phone (the core compares it with the card and refuses a wrong one; nothing is pinned) →
// the on-file numbers, domains, country and known account from the contract → done (pinned, or,
// once two people can check changes, a pending change another approver or admin approves). Every
// decision (who may onboard, whether the fingerprint matches, whether it waits) is the core's.
// Below the list, the marked accounts: suspected after a denied callback, or confirmed
// fraudulent; approvers and admins confirm a mark or propose clearing it (four eyes).
import {
  addPartner,
  clearFraudMark,
  confirmFingerprint,
  confirmFraud,
  listFraudMarks,
  listPartners,
  pickPartnerFile,
  previewCard,
  toCommandError,
  type CardPreview,
  type FraudMarkEntry,
  type Outcome,
  type PartnerRow,
  type PartnerView,
} from "../api";
import type { PhoneInput } from "../bindings/PhoneInput";
import { loadMoreButton, pageOf, type ListPage } from "../loadmore";
import { errorBox, h, notice } from "../dom";
import { codeName, formatDateTime, t } from "../i18n";
import { may } from "../access";
import type { Shell } from "../app";
import { qrImage, renderIssue } from "./issue";
import { sortable } from "../sortable";
import { outcomeNotice, pendingNotice } from "./changes";

/** The partner list, with the way into onboarding and into issuing our bank details. */
export async function renderPartners(shell: Shell, message?: string): Promise<void> {
  const { content } = shell;
  const title = h("h2", { id: "partners-title", tabindex: -1 }, t("partners.title"));
  const onboard = h("button", { id: "partner-onboard", type: "button" }, t("partners.onboard"));
  onboard.addEventListener("click", () => {
    shell.setScreen("onboard");
    renderOnboarding(shell);
  });
  const issue = h("button", { id: "issue-open", type: "button", class: "secondary" }, t("issue.open"));
  issue.addEventListener("click", () => {
    shell.setScreen("issue");
    void renderIssue(shell);
  });
  // Onboarding and issuing our details are offered only to the roles the core lets do them.
  const offered = [may(shell.user, "partner.add") && onboard, may(shell.user, "instruction.issue") && issue];
  const head = [title, message ? notice(message, "partners-notice") : null, h("div", { class: "row" }, ...offered)];
  const fetch = (limit: number, after: number | null) => listPartners(limit, after);
  let first: ListPage<PartnerRow>;
  try {
    first = await pageOf(fetch, (p) => p.id);
  } catch (reason) {
    content.replaceChildren(...head.filter((n): n is HTMLElement => n !== null), errorBox(toCommandError(reason), "partners-error"));
    return;
  }
  const marks = h("section", { id: "marks", class: "card", "aria-labelledby": "marks-title" });
  const table = partnerTable(shell, first.items);
  const failed = (reason: unknown) => more?.after(errorBox(toCommandError(reason), "partners-error"));
  const append = (rows: PartnerRow[]) => table.querySelector("tbody")?.append(...rows.map((p) => partnerRow(shell, p)));
  const more = loadMoreButton("partners-more", first.next, fetch, (p) => p.id, append, failed);
  content.replaceChildren(...head.filter((n): n is HTMLElement => n !== null), table, ...(more ? [more] : []), marks);
  title.focus();
  await renderMarks(marks, shell);
}

/** The marked accounts, with Confirm fraud and Clear for approvers and admins. */
export async function renderMarks(section: HTMLElement, shell: Shell, message?: HTMLElement): Promise<void> {
  const heading = h("h3", { id: "marks-title" }, t("marks.title"));
  const hint = h("p", { class: "hint" }, t("marks.hint"));
  const fetch = (limit: number, after: number | null) => listFraudMarks(limit, after);
  let marks: FraudMarkEntry[];
  let next: number | null;
  try {
    ({ items: marks, next } = await pageOf(fetch, (m) => m.id));
  } catch (reason) {
    section.replaceChildren(heading, hint, errorBox(toCommandError(reason), "marks-error"));
    return;
  }
  const feedback = h("div", { id: "marks-feedback", "aria-live": "polite" }, message ?? null);
  const again = (done: HTMLElement) => void renderMarks(section, shell, done);
  const fail = (reason: unknown) => feedback.replaceChildren(errorBox(toCommandError(reason), "marks-action-error"));
  // Only approvers and admins are offered the buttons; the core refuses anyone else regardless.
  const checker = may(shell.user, "account.confirm_fraud");
  const table: HTMLElement =
    marks.length === 0
      ? h("p", { id: "marks-empty", class: "hint" }, t("marks.empty"))
      : h(
          "table",
          { id: "marks-table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, t("marks.col.account")),
              h("th", {}, t("marks.col.status")),
              h("th", {}, t("marks.col.marked")),
              h("th", {}, t("marks.col.reason")),
              checker ? h("th", {}, t("marks.col.actions")) : null,
            ),
          ),
          h("tbody", {}, ...marks.map((m, i) => markRow(m, i, checker, again, fail))),
        );
  let shown = marks.length;
  const append = (more: FraudMarkEntry[]) => {
    table.querySelector("tbody")?.append(...more.map((m, i) => markRow(m, shown + i, checker, again, fail)));
    shown += more.length;
  };
  const more = loadMoreButton("marks-more", next, fetch, (m) => m.id, append, fail);
  if (table instanceof HTMLTableElement) sortable(table, { skip: checker ? [4] : [] });
  section.replaceChildren(heading, hint, table, ...(more ? [more] : []), feedback);
}

function markRow(mark: FraudMarkEntry, index: number, checker: boolean, again: (done: HTMLElement) => void, fail: (reason: unknown) => void): HTMLElement {
  const status = h(
    "span",
    { class: `badge mark-${mark.status}`, title: mark.status === "suspected" ? t("reason.account_suspected") : undefined },
    codeName("mark", mark.status),
  );
  const marked = [
    t("marks.markedBy", { who: mark.marked_by, at: formatDateTime(mark.marked_at) }),
    mark.case_id !== null ? ` · ${t("marks.case", { id: mark.case_id })}` : "",
    mark.confirmed_by ? ` · ${t("marks.confirmedBy", { who: mark.confirmed_by })}` : "",
  ].join("");
  let actions: HTMLElement | null = null;
  if (checker) {
    const reason = h("input", { id: `mark-reason-${index}`, type: "text", autocomplete: "off", "aria-label": t("marks.reason"), placeholder: t("marks.reason") });
    const confirm = h("button", { id: `mark-confirm-${index}`, type: "button", class: "danger" }, t("marks.confirm"));
    const clear = h("button", { id: `mark-clear-${index}`, type: "button", class: "secondary" }, t("marks.clear"));
    const run = async (button: HTMLButtonElement, send: () => Promise<HTMLElement>) => {
      button.disabled = true;
      try {
        again(await send());
      } catch (e) {
        fail(e);
        button.disabled = false;
      }
    };
    confirm.addEventListener("click", () =>
      void run(confirm, async () => {
        const done = await confirmFraud(mark.account_key, reason.value);
        return notice(t("marks.confirmed", { account: done.display }), "marks-notice");
      }),
    );
    clear.addEventListener("click", () =>
      void run(clear, async () => {
        const outcome: Outcome<string> = await clearFraudMark(mark.account_key, reason.value);
        return outcomeNotice(outcome, "marks-notice", () => t("marks.cleared", { account: mark.display }));
      }),
    );
    actions = h("td", {}, reason, " ", mark.status === "suspected" ? confirm : null, " ", clear);
  }
  return h(
    "tr",
    { "data-account-key": mark.account_key, "data-status": mark.status },
    h("td", { class: "account" }, mark.display),
    h("td", {}, status),
    h("td", {}, marked),
    h("td", {}, mark.reason),
    actions,
  );
}

function partnerTable(shell: Shell, partners: PartnerRow[]): HTMLElement {
  if (partners.length === 0) return h("p", { id: "partners-empty", class: "hint" }, t("partners.empty"));
  const table = h(
    "table",
    { id: "partners-table", class: "cases", "data-listnav": "tr[data-id]" },
    h(
      "thead",
      {},
      h("tr", {}, h("th", {}, t("partners.col.name")), h("th", {}, t("partners.col.country")), h("th", {}, t("partners.col.key")), h("th", {}, t("partners.col.account"))),
    ),
    h(
      "tbody",
      {},
      ...partners.map((p) => partnerRow(shell, p)),
    ),
  );
  sortable(table);
  return table;
}

function partnerRow(shell: Shell, p: PartnerRow): HTMLTableRowElement {
  const open = h("button", { id: `partner-open-${p.id}`, type: "button", class: "link" }, p.name);
  open.addEventListener("click", () => shell.openPartner(p.id));
  return h(
    "tr",
    { "data-id": p.id },
    h("td", {}, open),
    h("td", {}, p.country ?? "—"),
    h("td", { class: "fingerprint-small" }, p.active_keys.length > 0 ? p.active_keys.join(", ") : t("partners.noActiveKey")),
    h("td", { class: "account" }, p.current_account ?? t("partners.noAccount")),
  );
}

/** A fingerprint as large digit groups, each group its own element (easy to read aloud). */
export function fingerprintGroups(fingerprint: string, id: string): HTMLElement {
  const groups = fingerprint.trim().split(/\s+/);
  const spans = groups.flatMap((g, i) => (i === 0 ? [h("span", { class: "group" }, g)] : [" ", h("span", { class: "group" }, g)]));
  return h("p", { id, class: "fingerprint", "aria-label": groups.join(" ") }, ...spans);
}

/**
 * The numbers typed at onboarding, one a line (or separated by `;`), each with the label after a
 * comma: "+49 30 1234567, Accounts receivable" (issue 19: the admin names each number).
 */
export function phoneLines(text: string): PhoneInput[] {
  return text
    .split(/[\n;]+/)
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .map((line) => {
      const comma = line.indexOf(",");
      if (comma < 0) return { number: line, label: null };
      const label = line.slice(comma + 1).trim();
      return { number: line.slice(0, comma).trim(), label: label === "" ? null : label };
    });
}

/** Lines of a textarea, trimmed, blank ones left out. */
export function lines(text: string): string[] {
  return text
    .split(/[\n,;]+/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

type Step = "card" | "fingerprint" | "readback" | "details" | "done";

/** The onboarding wizard, one step at a time in `#onboard[data-step]`. */
export function renderOnboarding(shell: Shell): void {
  const { content } = shell;
  const back = h("button", { id: "back-to-partners", type: "button", class: "secondary" }, t("partners.back"));
  back.addEventListener("click", () => shell.openPartners());
  const area = h("section", { id: "onboard", class: "card wizard" });
  const steps = h(
    "ol",
    { id: "onboard-steps", class: "steps" },
    ...(["card", "fingerprint", "readback", "details", "done"] as Step[]).map((s) => h("li", { "data-step": s }, t(`partners.step.${s}`))),
  );
  content.replaceChildren(h("div", { class: "row" }, back), h("h2", { id: "onboard-title" }, t("partners.onboardTitle")), steps, area);

  let preview: CardPreview | null = null;
  let typed = "";

  const show = (step: Step, ...children: (HTMLElement | null)[]) => {
    area.dataset.step = step;
    for (const li of steps.querySelectorAll<HTMLElement>("li")) {
      if (li.dataset.step === step) li.setAttribute("aria-current", "step");
      else li.removeAttribute("aria-current");
    }
    area.replaceChildren(...children.filter((c): c is HTMLElement => c !== null));
    area.querySelector<HTMLElement>("h3")?.focus();
  };
  const errors = () => h("div", { class: "errors", "aria-live": "assertive" });
  const fail = (box: HTMLElement, reason: unknown) => box.replaceChildren(errorBox(toCommandError(reason), "onboard-error"));

  const cardStep = () => {
    const path = h("input", { id: "onboard-card-path", type: "text", autocomplete: "off", spellcheck: "false", required: true, value: preview?.path ?? "" });
    const pick = h("button", { id: "onboard-pick", type: "button", class: "secondary" }, t("partners.chooseFile"));
    const problems = errors();
    pick.addEventListener("click", async () => {
      try {
        const chosen = await pickPartnerFile("card");
        if (chosen) path.value = chosen;
      } catch (reason) {
        fail(problems, reason);
      }
    });
    const form = h(
      "form",
      { id: "onboard-card-form" },
      h("h3", { tabindex: -1 }, t("partners.card.title")),
      h("p", { class: "hint" }, t("partners.card.hint")),
      h("div", { class: "field" }, h("label", { for: "onboard-card-path" }, t("partners.card.file")), h("div", { class: "row" }, path, pick)),
      h("button", { id: "onboard-read", type: "submit" }, t("partners.card.read")),
      problems,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problems.replaceChildren();
      try {
        preview = await previewCard(path.value.trim());
        fingerprintStep();
      } catch (reason) {
        fail(problems, reason);
      }
    });
    show("card", form);
  };

  const fingerprintStep = () => {
    const p = preview!;
    const next = h("button", { id: "onboard-next", type: "button" }, t("partners.fingerprint.next"));
    next.addEventListener("click", () => readbackStep());
    const again = h("button", { id: "onboard-other-card", type: "button", class: "secondary" }, t("partners.fingerprint.otherCard"));
    again.addEventListener("click", () => cardStep());
    show(
      "fingerprint",
      h("h3", { tabindex: -1 }, t("partners.fingerprint.title", { name: p.name })),
      h(
        "dl",
        { class: "facts", id: "onboard-card" },
        h("dt", {}, t("partners.card.name")),
        h("dd", { id: "onboard-card-name" }, p.name),
        h("dt", {}, t("partners.card.country")),
        h("dd", {}, p.country ?? "—"),
        h("dt", {}, t("partners.card.domains")),
        h("dd", {}, p.domains.length > 0 ? p.domains.join(", ") : "—"),
        h("dt", {}, t("partners.card.contacts")),
        h("dd", {}, p.contacts.length > 0 ? p.contacts.map((c) => `${c.value}${c.label ? ` (${c.label})` : ""}`).join(", ") : "—"),
        h("dt", {}, t("partners.card.made")),
        h("dd", {}, formatDateTime(p.created_at)),
      ),
      h("p", { class: "hint" }, t("partners.card.statedOnly")),
      h("p", {}, t("partners.fingerprint.label")),
      fingerprintGroups(p.fingerprint, "onboard-fingerprint"),
      qrImage(p.qr, "onboard-qr", t("partners.fingerprint.qrLabel"), t("partners.fingerprint.qrCaption")),
      h("p", { class: "warning" }, t("partners.fingerprint.why")),
      h("div", { class: "row" }, again, next),
    );
  };

  const readbackStep = () => {
    const input = h("input", { id: "onboard-typed", type: "text", autocomplete: "off", spellcheck: "false", inputmode: "numeric", required: true, value: typed });
    const problems = errors();
    const previous = h("button", { id: "onboard-back", type: "button", class: "secondary" }, t("partners.readback.back"));
    previous.addEventListener("click", () => fingerprintStep());
    const form = h(
      "form",
      { id: "onboard-readback-form" },
      h("h3", { tabindex: -1 }, t("partners.readback.title")),
      h("p", { class: "warning" }, t("partners.readback.hint", { name: preview!.name })),
      h("div", { class: "field" }, h("label", { for: "onboard-typed" }, t("partners.readback.label")), input),
      h("div", { class: "row" }, previous, h("button", { id: "onboard-confirm", type: "submit" }, t("partners.readback.check"))),
      problems,
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problems.replaceChildren();
      try {
        await confirmFingerprint(preview!.path, input.value);
        typed = input.value;
        detailsStep();
      } catch (reason) {
        fail(problems, reason);
        input.select();
      }
    });
    show("readback", form);
  };

  const detailsStep = () => {
    const p = preview!;
    const textArea = (id: string, label: string, hint: string) =>
      h("div", { class: "field" }, h("label", { for: id }, label), h("textarea", { id, rows: 2, spellcheck: "false" }), h("p", { class: "hint" }, hint));
    const input = (id: string, label: string, value = "", required = false) =>
      h("div", { class: "field" }, h("label", { for: id }, label), h("input", { id, type: "text", autocomplete: "off", spellcheck: "false", value, required }));
    const problems = errors();
    const cardNumbers = p.contacts.filter((c) => c.kind === "phone").map((c) => `${c.value}${c.label ? ` (${c.label})` : ""}`);
    const form = h(
      "form",
      { id: "onboard-details-form" },
      h("h3", { tabindex: -1 }, t("partners.details.title")),
      h("p", { class: "hint" }, t("partners.details.hint")),
      textArea("onboard-phones", t("partners.details.phones"), `${t("partners.details.phonesHint")} ${t("partners.details.phonesLabelHint")}`),
      cardNumbers.length > 0
        ? h(
            "div",
            { class: "field choice" },
            h("input", { id: "onboard-card-numbers", type: "checkbox" }),
            h("label", { for: "onboard-card-numbers" }, t("partners.details.cardNumbers", { numbers: cardNumbers.join(", ") })),
          )
        : null,
      textArea("onboard-domains", t("partners.details.domains"), t("partners.details.domainsHint", { domains: p.domains.join(", ") || "—" })),
      input("onboard-country", t("partners.details.country"), p.country ?? ""),
      h("fieldset", {}, h("legend", {}, t("partners.details.account")), input("onboard-iban", t("partners.details.iban")), input("onboard-bic", t("partners.details.bic"))),
      h("button", { id: "onboard-submit", type: "submit" }, t("partners.details.submit")),
      problems,
    );
    const text = (id: string) => form.querySelector<HTMLInputElement | HTMLTextAreaElement>(`#${id}`)!.value;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      problems.replaceChildren();
      const orNull = (v: string) => (v.trim() === "" ? null : v.trim());
      try {
        const outcome = await addPartner({
          card_path: p.path,
          confirm_fingerprint: typed,
          phones: phoneLines(text("onboard-phones")),
          card_numbers: form.querySelector<HTMLInputElement>("#onboard-card-numbers")?.checked ?? false,
          domains: lines(text("onboard-domains")),
          country: orNull(text("onboard-country")),
          iban: orNull(text("onboard-iban")),
          bic: orNull(text("onboard-bic")),
        });
        doneStep(outcome);
      } catch (reason) {
        fail(problems, reason);
      }
    });
    show("details", form);
  };

  const doneStep = (outcome: Outcome<PartnerView>) => {
    const list = h("button", { id: "onboard-list", type: "button", class: "secondary" }, t("partners.done.list"));
    list.addEventListener("click", () => shell.openPartners());
    if (outcome.outcome === "pending") {
      // Nothing is pinned yet: another approver or admin approves the change first.
      const changes = h("button", { id: "onboard-changes", type: "button" }, t("changes.openList"));
      changes.addEventListener("click", () => shell.openChanges?.());
      show(
        "done",
        h("h3", { tabindex: -1 }, t("partners.done.pendingTitle")),
        pendingNotice(outcome.change, "onboard-pending"),
        h("div", { class: "row" }, list, shell.openChanges ? changes : null),
      );
      shell.refreshStatus?.();
      return;
    }
    const added = outcome.value;
    const open = h("button", { id: "onboard-open", type: "button" }, t("partners.done.open"));
    open.addEventListener("click", () => shell.openPartner(added.summary.id));
    show(
      "done",
      h("h3", { tabindex: -1 }, t("partners.done.title")),
      notice(t("partners.done.pinned", { name: added.summary.name, id: added.summary.id }), "onboard-done"),
      fingerprintGroups(added.summary.active_keys[0] ?? "", "onboard-pinned"),
      h("div", { class: "row" }, list, open),
    );
  };

  cardStep();
}
