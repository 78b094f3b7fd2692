// The inbox: receive instruction files (a payment run shows progress; each file's verdict and
// findings worded by their codes with the values they name, findings.ts), and the case list with
// verdict, partner, amount, age and status, filtered by status and searched by the service (case
// number with or without #, partner, payee, reference, amount as typed or shown, account with or
// without spaces) as typing pauses, sorted by any column, a page at a time (caselist.ts). Every
// string comes from the catalogues (i18n/core.ts); times and amounts are formatted for the locale.
import { pickFiles, receiveFiles, toCommandError, watchDrops, type CaseSummary, type Received } from "../api";
import { findingList } from "../findings";
import { errorBox, h } from "../dom";
import type { Shell } from "../app";
import { may } from "../access";
import { codeName, formatDateTime, formatMoney, t, tn } from "../i18n";
import { isCaseStatus, STATUSES, type CaseStatus, type Severity, type Verdict } from "../codes";
import { caseListView } from "./caselist";

/**
 * How long typing must pause before the service is asked (issue 19: results within 100 ms of the
 * last keystroke, the service's answer included, so the pause is short). A person's keys mostly
 * come 100 ms or more apart, so at 50 ms the pause already asked once per key and only gathered
 * bursts: 30 ms asks hardly more often, and an older answer is dropped (caselist.ts).
 */
export const SEARCH_DELAY_MS = 30;

/** "3 min", "5 h", "2 d" since `at` (RFC 3339, UTC), in the chosen language. */
export function age(at: string, now: Date = new Date()): string {
  const seconds = Math.max(0, (now.getTime() - new Date(at).getTime()) / 1000);
  if (seconds < 60) return t("age.now");
  if (seconds < 3600) return t("age.minutes", { n: Math.floor(seconds / 60) });
  if (seconds < 86400) return t("age.hours", { n: Math.floor(seconds / 3600) });
  return t("age.days", { n: Math.floor(seconds / 86400) });
}

/** Whether a path is an email message (`.eml`): the Rust side reads it as the email that carried the files. */
export function isEmailPath(path: string): boolean {
  return /\.eml$/i.test(path.trim());
}

/** A case status's name in the chosen language. */
export function label(status: CaseStatus): string {
  return codeName("status", status);
}

/** A verdict's name in the chosen language. */
export function verdictName(verdict: Verdict): string {
  return codeName("verdict", verdict);
}

/** A finding severity's name in the chosen language. */
export function severityName(severity: Severity): string {
  return codeName("severity", severity);
}

/**
 * One row of a case table (the inbox, the work queue): the case number opens it. The row is named
 * by every column's header and value, so a narrow list that hides some columns (style.css) still
 * says all of them; a long partner or payee cut short keeps its whole text in the cell's title.
 */
export function caseRow(c: CaseSummary, shell: Shell, now: Date): HTMLTableRowElement {
  const open = h("button", { type: "button", class: "link open-case", "data-case-id": c.id }, `#${c.id}`);
  open.addEventListener("click", () => shell.openCase(c.id));
  const partner = c.partner ?? t("common.unknownSigner");
  const amount = c.amount ? formatMoney(c.amount) : "";
  const ago = age(c.received_at, now);
  const status = c.account_fraudulent ? `${label(c.status)} ${t("inbox.fraudulentAccount")}` : label(c.status);
  const values = [`#${c.id}`, verdictName(c.verdict), partner, c.payee ?? "", amount, ago, status];
  const name = columns()
    .map((column, i) => (values[i] ? `${column}: ${values[i]}` : ""))
    .filter(Boolean)
    .join(", ");
  return h(
    "tr",
    { "data-case-id": c.id, "data-status": c.status, "aria-label": name },
    h("td", {}, open),
    h("td", {}, h("span", { class: `badge ${c.verdict}` }, verdictName(c.verdict))),
    h("td", { title: partner }, partner),
    h("td", { title: c.payee ?? undefined }, c.payee ?? ""),
    h("td", { class: "num" }, amount),
    h("td", {}, h("time", { datetime: c.received_at, title: formatDateTime(c.received_at) }, ago)),
    h(
      "td",
      { title: status },
      h("span", { class: `status ${c.status}` }, label(c.status)),
      c.account_fraudulent ? h("span", { class: "badge rejected" }, ` ${t("inbox.fraudulentAccount")}`) : null,
    ),
  );
}

/** The header cells of a case table, in `caseRow`'s order. */
export function columns(): string[] {
  return [t("inbox.col.case"), t("inbox.col.verdict"), t("inbox.col.partner"), t("inbox.col.payee"), t("inbox.col.amount"), t("inbox.col.age"), t("inbox.col.status")];
}

export async function renderInbox(shell: Shell, filter: CaseStatus | "" = ""): Promise<void> {
  const { content } = shell;
  const paths = h("textarea", { id: "receive-paths", rows: 3, spellcheck: "false", placeholder: t("inbox.pathsPlaceholder") });
  const progress = h("progress", { id: "receive-progress", max: 1, value: 0, hidden: true });
  const results = h("div", { id: "receive-results", "aria-live": "polite" });
  const addPaths = (more: string[]) => {
    if (more.length === 0) return;
    const have = paths.value.split("\n").map((p) => p.trim()).filter(Boolean);
    paths.value = [...have, ...more.filter((p) => !have.includes(p))].join("\n");
    const emails = more.filter(isEmailPath).length;
    const files = more.length - emails;
    const parts = [files ? tn("inbox.files", files) : "", emails ? tn("inbox.emails", emails) : ""].filter(Boolean);
    const what = parts.length === 2 ? t("inbox.and", { first: parts[0], second: parts[1] }) : parts[0];
    results.replaceChildren(h("p", { class: "hint" }, t("inbox.added", { what })));
    receiveForm.querySelector<HTMLButtonElement>("#receive-submit")?.focus();
  };
  const pick = h("button", { id: "pick-files", type: "button", class: "secondary" }, t("inbox.pick"));
  pick.addEventListener("click", async () => {
    try {
      addPaths(await pickFiles());
    } catch (reason) {
      results.replaceChildren(errorBox(toCommandError(reason), "receive-error"));
    }
  });
  void watchDrops(addPaths).catch(() => undefined);
  const receiveForm = h(
    "form",
    { id: "receive-form", class: "card" },
    h("h2", {}, t("inbox.receiveTitle")),
    h("p", { class: "hint" }, t("inbox.receiveHint")),
    h("label", { for: "receive-paths" }, t("inbox.pathsLabel")),
    paths,
    h("div", { class: "row" }, pick, h("button", { id: "receive-submit", type: "submit" }, t("inbox.receive")), progress),
    results,
  );

  const status = h("select", { id: "filter-status" }, h("option", { value: "" }, t("inbox.allStatuses")));
  for (const s of STATUSES) status.append(h("option", { value: s }, label(s)));
  status.value = filter;
  const query = h("input", { id: "search", type: "search", placeholder: t("inbox.searchPlaceholder"), autocomplete: "off" });
  const count = h("p", { id: "case-count", class: "hint", "aria-live": "polite" });
  const listError = h("div", {});
  const caseList = caseListView(shell, {
    status: () => (isCaseStatus(status.value) ? status.value : null),
    search: () => query.value,
    count,
    error: listError,
  });
  const list = h(
    "section",
    { class: "card", "aria-labelledby": "cases-title" },
    h("h2", { id: "cases-title" }, t("inbox.casesTitle")),
    h("div", { class: "row" }, h("label", { for: "filter-status" }, t("inbox.statusLabel")), status, h("label", { for: "search" }, t("inbox.searchLabel")), query),
    listError,
    count,
    caseList.element,
  );
  // Receiving is offered only to the roles the core lets receive (auditors never).
  content.replaceChildren(...(may(shell.user, "instruction.receive") ? [receiveForm] : []), list);

  const load = () => caseList.load();
  status.addEventListener("change", () => void load());
  // Searched by the service once typing pauses, not on every keystroke.
  let typing: ReturnType<typeof setTimeout> | undefined;
  query.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => void load(), SEARCH_DELAY_MS);
  });

  receiveForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = paths.value.split("\n").map((p) => p.trim()).filter(Boolean);
    const files = chosen.filter((p) => !isEmailPath(p));
    const submit = receiveForm.querySelector<HTMLButtonElement>("#receive-submit")!;
    submit.disabled = true;
    progress.hidden = false;
    progress.max = Math.max(1, files.length);
    progress.value = 0;
    results.replaceChildren(h("p", { class: "hint" }, tn("inbox.receiving", files.length)));
    try {
      const received = await receiveFiles(chosen, (p) => {
        progress.max = p.total;
        progress.value = p.done;
      });
      results.replaceChildren(receivedList(received, shell));
      paths.value = "";
      await load();
      // A partner's freeze notice takes effect at once: the banner says so now, not on the next screen.
      if (received.some((r) => r.notice)) shell.refreshStatus?.();
    } catch (reason) {
      results.replaceChildren(errorBox(toCommandError(reason), "receive-error"));
    } finally {
      submit.disabled = false;
      progress.hidden = true;
    }
  });

  // Another desktop's change (a team workspace): the rows loaded are asked again where they are;
  // the form keeps what was typed.
  shell.live = () => caseList.refresh();
  await load();
}

function receivedList(received: Received[], shell: Shell): HTMLElement {
  return h(
    "ul",
    { class: "received" },
    ...received.map((r) => {
      const open = r.case_id !== null ? h("button", { type: "button", class: "link", "data-case-id": r.case_id }, t("inbox.openCase", { id: r.case_id })) : null;
      open?.addEventListener("click", () => shell.openCase(r.case_id!));
      return h(
        "li",
        { "data-verdict": r.verdict, ...(r.notice ? { "data-notice": r.notice, "data-outcome": r.notice_outcome ?? "" } : {}) },
        h("span", { class: `badge ${r.verdict}` }, verdictName(r.verdict)),
        ` ${r.partner ? t("inbox.receivedFrom", { file: r.file_name, partner: r.partner }) : r.file_name}: ${tn("inbox.findings", r.findings.length)} `,
        open,
        r.findings.length === 0 ? null : findingList(r.findings, { class: "received-findings" }, true),
      );
    }),
  );
}
