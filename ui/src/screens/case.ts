// One case, in the order a clerk decides (issue 19): first a bar that stays on screen as the page
// scrolls, with the case's status, its verdict, what happened last and the one action it needs
// first (only the steps the core offers the signed-in user: CaseView.next_steps; the core still
// answers for each when pressed); then the account on file beside the one in this instruction,
// the changed characters marked; then the findings in words; then the evidence (the email that
// carried it, the bank's name checks, the callbacks) and the timeline in words, each entry with who and when. Facts are
// the core's as they stand when the page is drawn (the account on file is read now, not kept from
// the receipt). Every string comes from the catalogues (i18n/core.ts, i18n/codes.ts); times and
// amounts are formatted for the locale.
import {
  approveCase,
  attachNameCheck,
  caseDetail,
  pickEvidenceFile,
  rejectCase,
  releaseCase,
  releaseEarly,
  reopenCase,
  toCommandError,
  type CaseView,
  type ReleaseFormat,
  type ReleaseView,
} from "../api";
import type { QrView } from "../bindings/QrView";
import { changedCharacters } from "../diff";
import { errorBox, h, notice, svg } from "../dom";
import type { Shell } from "../app";
import { codeName, formatDateTime, formatDuration, formatMoney, t, tn } from "../i18n";
import { label, verdictName } from "./inbox";
import { renderCallbackWizard } from "./callback";
import { viewRefresh } from "../live";
import { eventDetails, eventText } from "../words";
import { findingList, isEmailFinding } from "../findings";
import { offers } from "../access";
import { NAME_CHECK_ANSWERS } from "../bindings/coreCodes";
import type { Scheme } from "../bindings/Scheme";
import type { Obtained } from "../bindings/Obtained";
import { fileChoice, labelled } from "./form";
import type { NameCheckEntry } from "../bindings/NameCheckEntry";
import type { NameCheckRequest } from "../bindings/NameCheckRequest";

/** Counts the case screen's renders: one that a later render overtook while it waited is dropped. */
let renders = 0;

export async function renderCase(shell: Shell, id: number, message?: string, released?: ReleaseView): Promise<void> {
  const { content } = shell;
  const generation = ++renders;
  // Beside a list, the split's back control is the way back; on its own, back to where the user came from.
  const back = shell.beside ? null : h("button", { id: "case-back", type: "button", class: "secondary" }, t("case.back"));
  back?.addEventListener("click", () => (shell.goBack ? shell.goBack() : shell.openInbox()));
  let view: CaseView;
  try {
    view = await caseDetail(id);
  } catch (reason) {
    if (generation === renders) content.replaceChildren(...(back ? [back] : []), errorBox(toCommandError(reason), "case-error"));
    return;
  }
  if (generation !== renders) return;
  const c = view.summary;
  const title = h("h2", { id: "case-title", tabindex: -1 }, `${t("case.title", { id: c.id })} `, h("span", { id: "case-status", class: `status ${c.status}` }, label(c.status)));
  const feedback = h("div", { id: "case-feedback", "aria-live": "polite" }, message ? notice(message, "case-notice") : null);
  const reload = (text?: string, artefact?: ReleaseView) => void renderCase(shell, id, text, artefact);
  const actions = h("div", { id: "case-actions", class: "row actions", role: "group", "aria-label": t("case.actions") });
  const wizard = h("section", { id: "callback-area" });
  // The bar that stays on screen: the verdict, the last word and the action needed first.
  const bar = h(
    "section",
    { id: "case-bar", class: "card case-bar", "aria-label": t("case.actions") },
    h("div", { class: "row" }, back, title),
    h("p", {}, `${t("case.verdict")} `, h("span", { id: "case-verdict", class: `badge ${c.verdict}` }, verdictName(c.verdict))),
    feedback,
    actions,
  );

  const parts: (HTMLElement | null)[] = [
    bar,
    released ? releaseResult(released) : null,
    frozenSection(view),
    coolingOffSection(view),
    wizard,
    accountSection(view),
    findingsSection(view),
    emailSection(view),
    nameChecksSection(view, reload, () => (acting = true)),
    callbacksSection(view),
    timelineSection(view),
    factsSection(view),
  ];
  content.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  title.focus();
  // Another desktop's change (a team workspace): drawn again, unless the person is in the middle
  // of a callback, typing a reason, or waiting for an action of their own (whose result, a
  // notice or a QR code, its own render shows).
  let acting = false;
  shell.live = viewRefresh(content, feedback, view, () => caseDetail(id), () => reload(), () => acting || wizard.childElementCount > 0);

  // A refusal is shown beside the buttons that caused it, in the bar that stays on screen.
  const actionError = h("div", { "aria-live": "assertive" });
  bar.append(actionError);
  const fail = (reason: unknown) => {
    acting = false;
    const box = errorBox(toCommandError(reason), "case-error");
    actionError.replaceChildren(box);
    box.scrollIntoView?.({ block: "nearest" });
  };
  const act = (id: string, text: string, run: () => Promise<unknown>, after: (r: unknown) => string) => {
    const b = h("button", { id, type: "button" }, text);
    b.addEventListener("click", async () => {
      b.disabled = true;
      acting = true;
      try {
        reload(after(await run()));
      } catch (reason) {
        fail(reason);
        b.disabled = false;
      }
    });
    return b;
  };

  // Only the steps the core offers this user on this case are shown (CaseView.next_steps): a
  // clerk sees no approval, the approver who called back no approval either, an auditor nothing.
  // The one the case needs first comes first; rejecting, always possible for approvers, last.
  const s = c.status;
  if (s === "hold" && view.wrong_responses > 0) actions.append(h("p", { class: "warning" }, tn("case.wrongResponses", view.wrong_responses)));
  if (offers(view, "call_back")) {
    const start = h("button", { id: "start-callback", type: "button" }, t("case.startCallback"));
    // One challenge at a time: once the wizard is open, a new one is asked for there, on purpose.
    start.addEventListener("click", () => {
      start.hidden = true;
      void renderCallbackWizard(wizard, view, reload, (reason) => {
        start.hidden = false;
        fail(reason);
      });
    });
    actions.append(start, h("p", { class: "hint" }, t("case.holdHint")));
  }
  if (offers(view, "reopen")) actions.append(act("reopen", t("case.reopen"), () => reopenCase(id), () => t("case.reopened", { id })));
  if (offers(view, "approve")) {
    actions.append(act("approve", t("case.approve"), () => approveCase(id), () => t("case.approved", { id, user: shell.user.name })));
  }
  if (offers(view, "release")) actions.append(releaseForm(id, reload, fail, () => (acting = true)));
  if (offers(view, "release_early")) actions.append(earlyReleaseForm(view, reload, fail, () => (acting = true)));
  if (offers(view, "reject")) {
    const reason = h("input", { id: "reject-reason", type: "text", autocomplete: "off" });
    const form = h(
      "form",
      { id: "reject-form", class: "row" },
      h("label", { for: "reject-reason" }, t("case.rejectReason")),
      reason,
      h("button", { id: "reject-submit", type: "submit", class: "danger" }, t("case.reject")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      acting = true;
      try {
        await rejectCase(id, reason.value);
        reload(t("case.rejected", { id }));
      } catch (e) {
        fail(e);
      }
    });
    actions.append(form);
  }
  const open = s === "hold" || s === "callback_confirmed" || s === "accepted" || s === "approved";
  // An open case whose next step is someone else's (rejecting is always possible for approvers).
  const work = view.next_steps.some((step) => step !== "reject" && step !== "export_bank_file");
  // A release waiting for its cooling-off is nobody's step yet: the cooling-off section says why.
  if (!work && open && !view.cooling_off) actions.append(h("p", { class: "hint", id: "case-not-yours" }, t("case.notYours", { status: label(s) })));
  if (actions.childElementCount === 0) actions.append(h("p", { class: "hint" }, t("case.nothingLeft", { status: label(s) })));
}

/** The payment's particulars and who received and decided it. */
function factsSection(view: CaseView): HTMLElement {
  const c = view.summary;
  return h(
    "section",
    { class: "card", "aria-labelledby": "facts-title" },
    h("h3", { id: "facts-title" }, t("case.factsTitle")),
    h(
      "dl",
      { class: "facts" },
      ...fact(t("case.partner"), c.partner ?? t("common.unknownSigner"), "case-partner"),
      ...fact(t("case.payee"), c.payee ?? "—", "case-payee"),
      ...fact(t("case.amount"), c.amount ? formatMoney(c.amount) : "—", "case-amount"),
      ...fact(t("case.reference"), view.reference ?? "—"),
      ...fact(t("case.confirmationCode"), view.confirmation_code ?? "—", "case-confirmation"),
      ...fact(t("case.file"), c.file_name),
      ...fact(t("case.received"), t("case.receivedBy", { at: formatDateTime(c.received_at), user: c.received_by })),
      ...(view.decided_by ? fact(t("case.decidedBy"), `${view.decided_by}${view.decision_reason ? `: ${view.decision_reason}` : ""}`) : []),
      ...(view.released_by ? fact(t("case.releasedBy"), view.released_by) : []),
    ),
  );
}

function fact(term: string, value: string, id?: string): HTMLElement[] {
  return [h("dt", {}, term), h("dd", { id }, value)];
}

/** The case's own findings; `partner_frozen` is left out while the freeze section above shows it. */
function findingsSection(view: CaseView): HTMLElement {
  const own = view.findings.filter((f) => !isEmailFinding(f) && !(view.partner_frozen && f.code === "partner_frozen"));
  return h(
    "section",
    { class: "card", "aria-labelledby": "findings-title" },
    h("h3", { id: "findings-title" }, t("case.findingsTitle")),
    own.length === 0
      ? h("p", { class: "hint" }, t("case.noFindings"))
      : findingList(own, { id: "findings" }),
  );
}

/** The email that carried the instruction: its findings on their own, and its SHA-256. */
function emailSection(view: CaseView): HTMLElement {
  const found = view.findings.filter(isEmailFinding);
  return h(
    "section",
    { id: "email-evidence", class: "card", "aria-labelledby": "email-title" },
    h("h3", { id: "email-title" }, t("case.emailTitle")),
    view.email_sha256 === null
      ? h("p", { class: "hint" }, t("case.noEmail"))
      : h(
          "div",
          {},
          found.length === 0
            ? h("p", { class: "hint", id: "email-clean" }, t("case.emailClean"))
            : findingList(found, { id: "email-findings" }),
          h("dl", { class: "facts" }, ...fact(t("case.emailSha"), view.email_sha256, "email-sha256")),
        ),
  );
}

/**
 * The account on file beside the one this instruction pays, the changed characters marked. The
 * account on file is the partner's current one as the core reads it now: after another case made
 * this account current, it is the same account, and the page says since when.
 */
function accountSection(view: CaseView): HTMLElement {
  const account = view.summary.account;
  const onFile = view.on_file_account;
  const same = view.pays_account_on_file === true;
  const newAccount = h("dd", { id: "account-new", class: "account" });
  if (account && onFile && !same) {
    for (const seg of changedCharacters(onFile.display, account)) {
      newAccount.append(seg.changed ? h("mark", { class: "changed" }, seg.text) : seg.text);
    }
  } else {
    newAccount.textContent = account ?? "—";
  }
  const since = onFile?.became_current_at ? t("case.onFileSince", { at: formatDateTime(onFile.became_current_at) }) : null;
  const current = h(
    "dd",
    { id: "account-current", class: "account", "data-same": String(same) },
    onFile ? (same ? t("case.sameAccount") : `${onFile.display} · ${onFile.bic}`) : t("case.noAccountOnFile"),
  );
  return h(
    "section",
    { class: "card", "aria-labelledby": "account-title" },
    h("h3", { id: "account-title" }, t("case.bankTitle")),
    h(
      "div",
      { id: "account-compare", class: "compare" },
      h("dl", { class: "facts" }, h("dt", {}, t("case.onFile")), current, since ? h("dd", { class: "hint", id: "account-since" }, since) : null),
      h("dl", { class: "facts" }, h("dt", {}, t("case.inInstruction")), newAccount, h("dt", {}, t("case.bic")), h("dd", {}, view.bic ?? "—")),
    ),
    view.summary.account_fraudulent ? h("p", { class: "error", role: "alert" }, t("case.fraudulent")) : null,
    onFile && !same && account ? h("p", { class: "hint" }, t("case.changedHint")) : null,
    view.account_history.length > 0
      ? h(
          "ol",
          { id: "account-history", class: "timeline" },
          ...view.account_history.map((a) =>
            h(
              "li",
              { "data-status": a.status },
              h("span", { class: "account" }, a.display),
              ` ${t("case.accountHistory", { status: codeName("account", a.status), first: formatDateTime(a.first_seen), last: formatDateTime(a.last_seen) })}`,
            ),
          ),
        )
      : null,
  );
}

/**
 * The bank name checks under the evidence (issue 20): the scheme, the answer in words, the bank's
 * name beside ours for a close match, how it was obtained with the file's SHA-256, who attached it
 * and when; and, for the users the core lets attach one (approvers), the form to attach one.
 */
export function nameChecksSection(view: CaseView, reload: (m?: string) => void, started: () => void): HTMLElement {
  const list =
    view.name_checks.length === 0
      ? h("p", { class: "hint", id: "no-name-checks" }, t("case.noNameChecks"))
      : h("ol", { id: "name-checks" }, ...view.name_checks.map(nameCheckItem));
  return h(
    "section",
    { id: "name-check-evidence", class: "card", "aria-labelledby": "name-checks-title" },
    h("h3", { id: "name-checks-title" }, t("case.nameChecksTitle")),
    list,
    view.may_attach_name_check ? nameCheckForm(view, reload, started) : null,
  );
}

function nameCheckItem(n: NameCheckEntry): HTMLElement {
  const close = n.outcome === "close_match" && n.matched_name !== null;
  return h(
    "li",
    { class: `name-check outcome-${n.outcome}`, "data-outcome": n.outcome, "data-answer": n.answer },
    h("p", {}, h("strong", {}, `${codeName("nameCheckScheme", n.scheme)} · ${n.answer}`), ` ${codeName("nameCheckOutcome", n.outcome)}`),
    close
      ? h(
          "dl",
          { class: "facts name-compare" },
          ...fact(t("case.nameCheckBankName"), n.matched_name ?? "", "name-check-bank"),
          ...fact(t("case.nameCheckOurName"), n.our_name ?? n.name_sent, "name-check-ours"),
        )
      : null,
    h(
      "p",
      { class: "hint" },
      t("case.nameCheckSent", { name: n.name_sent, account: n.account_sent, request: n.request_id, requested: formatDateTime(n.requested_at), answered: formatDateTime(n.answered_at) }),
    ),
    h("p", { class: "hint" }, t("case.nameCheckObtained", { how: codeName("nameCheckObtained", n.obtained) })),
    n.evidence_sha256 ? h("dl", { class: "facts" }, ...fact(t("case.nameCheckSha"), n.evidence_sha256)) : null,
    h("p", { class: "hint" }, t("case.nameCheckAttached", { user: n.attached_by, at: formatDateTime(n.attached_at) })),
  );
}

/** How a bank's answer can be obtained, in the order the form offers them. */
const OBTAINED: Obtained[] = ["api", "pain002", "screenshot"];

/** The approver's form to attach a bank's answer; the core checks every field and the account. */
function nameCheckForm(view: CaseView, reload: (m?: string) => void, started: () => void): HTMLElement {
  const id = view.summary.id;
  const text = (name: string, value = "", placeholder = "") => h("input", { id: `nc-${name}`, type: "text", autocomplete: "off", value, placeholder });
  const scheme = h("select", { id: "nc-scheme" }, h("option", { value: "vop" }, codeName("nameCheckScheme", "vop")), h("option", { value: "cop" }, codeName("nameCheckScheme", "cop")));
  const answer = h("select", { id: "nc-answer" });
  const fillAnswers = () => {
    const chosen = scheme.value as Scheme;
    answer.replaceChildren(
      ...NAME_CHECK_ANSWERS.filter((a) => a.scheme === chosen).map((a) => h("option", { value: a.answer }, `${a.answer} · ${codeName("nameCheckOutcome", a.outcome)}`)),
    );
  };
  fillAnswers();
  scheme.addEventListener("change", fillAnswers);
  const requestId = text("request-id");
  const requestedAt = text("requested-at", "", "2026-12-04T09:30:00Z");
  const answeredAt = text("answered-at", "", "2026-12-04T09:30:02Z");
  const nameSent = text("name-sent", view.summary.payee ?? "");
  const accountSent = text("account-sent", view.summary.account ?? "");
  const matchedName = text("matched-name");
  const obtained = h(
    "select",
    { id: "nc-obtained" },
    ...OBTAINED.map((how) => h("option", { value: how }, codeName("nameCheckObtained", how))),
  );
  let evidence: string | null = null;
  const error = h("div", { "aria-live": "assertive" });
  const evidenceFile = fileChoice(
    { button: "nc-pick", chosen: "nc-file" },
    { button: t("case.nameCheckFile"), none: t("case.nameCheckNoFile") },
    pickEvidenceFile,
    (path) => (evidence = path),
    (e) => error.replaceChildren(errorBox(toCommandError(e), "name-check-error")),
  );
  const form = h(
    "form",
    { id: "name-check-form", class: "form" },
    h("h4", {}, t("case.nameCheckForm")),
    labelled("nc-scheme", t("case.nameCheckScheme"), scheme),
    labelled("nc-request-id", t("case.nameCheckRequestId"), requestId),
    labelled("nc-requested-at", t("case.nameCheckRequestedAt"), requestedAt),
    labelled("nc-answered-at", t("case.nameCheckAnsweredAt"), answeredAt),
    labelled("nc-name-sent", t("case.nameCheckNameSent"), nameSent),
    labelled("nc-account-sent", t("case.nameCheckAccountSent"), accountSent),
    labelled("nc-answer", t("case.nameCheckAnswer"), answer),
    labelled("nc-matched-name", t("case.nameCheckMatchedName"), matchedName),
    labelled("nc-obtained", t("case.nameCheckHow"), obtained),
    evidenceFile,
    h("p", { class: "hint" }, t("case.nameCheckPain002Limit")),
    error,
    h("button", { id: "nc-submit", type: "submit" }, t("case.nameCheckSubmit")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    started();
    const check: NameCheckRequest = {
      case_id: id,
      scheme: scheme.value,
      request_id: requestId.value,
      requested_at: requestedAt.value,
      answered_at: answeredAt.value,
      name_sent: nameSent.value,
      account_sent: accountSent.value,
      answer: answer.value,
      matched_name: matchedName.value.trim() === "" ? null : matchedName.value,
      obtained: obtained.value,
      evidence_path: evidence,
    };
    try {
      const status = await attachNameCheck(check);
      reload(status === "hold" && view.summary.status !== "hold" ? t("case.nameCheckHeldNotice", { id }) : t("case.nameCheckAttachedNotice", { id }));
    } catch (e) {
      error.replaceChildren(errorBox(toCommandError(e), "name-check-error"));
    }
  });
  return form;
}

function callbacksSection(view: CaseView): HTMLElement | null {
  if (view.callbacks.length === 0) return null;
  return h(
    "section",
    { class: "card", "aria-labelledby": "callbacks-title" },
    h("h3", { id: "callbacks-title" }, t("case.callbacksTitle")),
    h(
      "ol",
      { id: "callbacks" },
      ...view.callbacks.map((cb) =>
        h(
          "li",
          { "data-outcome": cb.outcome ?? "open" },
          [
            t("case.callbackLine", { at: formatDateTime(cb.started_at), user: cb.started_by, outcome: codeName("outcome", cb.outcome ?? "open") }),
            cb.dialed ? t("case.dialled", { number: cb.dialed }) : "",
            cb.reached ? t("case.reached", { name: cb.reached }) : "",
          ]
            .filter(Boolean)
            .join(" · "),
        ),
      ),
    ),
  );
}

/** The case's timeline in words: when, who, what they did, and the details people read. */
function timelineSection(view: CaseView): HTMLElement {
  return h(
    "section",
    { class: "card", "aria-labelledby": "timeline-title" },
    h("h3", { id: "timeline-title" }, t("case.timelineTitle")),
    h(
      "ol",
      { id: "timeline", class: "timeline" },
      ...view.timeline.map((e) => {
        const details = eventDetails(e.details);
        return h(
          "li",
          { "data-action": e.action },
          h("time", { datetime: e.at }, formatDateTime(e.at)),
          " ",
          h("span", { class: "event" }, t("case.timelineEntry", { actor: e.actor, event: eventText(e.action) })),
          details.length > 0 ? h("span", { class: "hint event-details" }, ` · ${details.map(([k, v]) => `${k}: ${v}`).join(" · ")}`) : null,
        );
      }),
    ),
  );
}

/** Why the case is held by its partner's freeze (issue 20): the `partner_frozen` finding in words. */
export function frozenSection(view: CaseView): HTMLElement | null {
  if (!view.partner_frozen) return null;
  return h(
    "section",
    { id: "case-frozen", class: "card error", "aria-labelledby": "case-frozen-title" },
    h("h3", { id: "case-frozen-title" }, t("freeze.case.title")),
    findingList([view.partner_frozen], { class: "findings" }),
  );
}

/**
 * The cooling-off a release waits for (issue 20): a countdown in the user's language from the
 * seconds the core counted when the case was read, why, and the early-release requests with their
 * reasons. Absent when there is nothing to wait for.
 */
export function coolingOffSection(view: CaseView): HTMLElement | null {
  const c = view.cooling_off;
  if (!c) return null;
  const left = h("p", { id: "cooling-off-left", "aria-live": "off" });
  const end = Date.now() + c.left_seconds * 1000;
  const tick = () => {
    const seconds = Math.round((end - Date.now()) / 1000);
    left.textContent = seconds > 0 ? t("case.coolingOffLeft", { until: formatDateTime(c.until), left: formatDuration(seconds) }) : t("case.coolingOffOver");
    return seconds > 0;
  };
  tick();
  // Once a second while the page shows it; it stops when the page is drawn again or the time is up.
  const timer = setInterval(() => {
    if (!left.isConnected || !tick()) clearInterval(timer);
  }, 1000);
  return h(
    "section",
    { id: "cooling-off", class: "card", "aria-labelledby": "cooling-off-title" },
    h("h3", { id: "cooling-off-title" }, t("case.coolingOffTitle")),
    left,
    h("p", { class: "hint" }, t("case.coolingOffWhy", { since: formatDateTime(c.since), hours: c.hours })),
    c.early_releases.length > 0
      ? h("ul", { id: "early-releases" }, ...c.early_releases.map((e) => h("li", { "data-by": e.by }, t("case.earlyAsked", { user: e.by, at: formatDateTime(e.at), reason: e.reason }))))
      : null,
    h("p", { id: "early-count", class: "hint" }, t("case.earlyCount", { count: c.early_releases.length, needed: c.needed })),
  );
}

/** An approver's request to release early, with the reason it is logged with. */
function earlyReleaseForm(view: CaseView, reload: (m?: string) => void, fail: (r: unknown) => void, started: () => void): HTMLElement {
  const id = view.summary.id;
  const reason = h("input", { id: "early-reason", type: "text", autocomplete: "off", required: true });
  const form = h(
    "form",
    { id: "early-form", class: "row" },
    h("label", { for: "early-reason" }, t("case.earlyReason")),
    reason,
    h("button", { id: "early-submit", type: "submit" }, t("case.earlySubmit")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    started();
    try {
      const asked = await releaseEarly(id, reason.value);
      const needed = view.cooling_off?.needed ?? 2;
      reload(asked.length >= needed ? t("case.earlyReadyNotice", { id }) : t("case.earlyAskedNotice", { id, count: asked.length, needed }));
    } catch (e) {
      fail(e);
    }
  });
  return form;
}

function releaseForm(id: number, reload: (m?: string, r?: ReleaseView) => void, fail: (r: unknown) => void, started: () => void): HTMLElement {
  const format = h(
    "select",
    { id: "release-format" },
    h("option", { value: "pain001" }, t("case.format.pain001")),
    h("option", { value: "epc_qr" }, t("case.format.epc_qr")),
    h("option", { value: "none" }, t("case.format.none")),
  );
  const form = h(
    "form",
    { id: "release-form", class: "row" },
    h("label", { for: "release-format" }, t("case.releaseWith")),
    format,
    h("button", { id: "release-submit", type: "submit" }, t("case.release")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    started();
    try {
      const released = await releaseCase(id, format.value as ReleaseFormat);
      reload(t("case.releasedNotice", { id }), released);
    } catch (e) {
      fail(e);
    }
  });
  return form;
}

export function releaseResult(released: ReleaseView): HTMLElement {
  return h(
    "section",
    { id: "release-result", class: "card" },
    released.saved_to ? h("p", {}, `${t("case.savedTo")} `, h("code", { id: "release-saved" }, released.saved_to)) : null,
    released.qr ? qrFigure(released.qr) : null,
  );
}

/** Draws the QR matrix as one SVG path (crisp edges, no seams) with a 4-module quiet zone. */
export function qrFigure(qr: QrView): HTMLElement {
  const side = qr.width + 8;
  const image = svg("svg", { id: "release-qr", viewBox: `0 0 ${side} ${side}`, width: 264, height: 264, role: "img", "aria-label": t("case.qrLabel"), "shape-rendering": "crispEdges" });
  image.append(svg("rect", { x: 0, y: 0, width: side, height: side, fill: "#fff" }));
  let d = "";
  qr.dark.forEach((dark, i) => {
    if (dark) d += `M${(i % qr.width) + 4} ${Math.floor(i / qr.width) + 4}h1v1h-1z`;
  });
  image.append(svg("path", { d, fill: "#000", "data-modules": qr.dark.filter(Boolean).length }));
  return h("figure", {}, image, h("figcaption", {}, t("case.qrCaption")));
}
