// The ERP's payment file (issue 18). Clerks, approvers and admins screen it before it goes to
// the bank: the verdict and the counts first, the file's own figures, then every line, worst
// first, with its reasons as sentences and the partner it matched (a link to its account
// history); when some lines are ok and some are not, the approved copy with only the ok lines is
// written where the user chooses. Everyone, auditors too, can check a file: whether it is byte
// for byte one screened as all ok, an approved copy, one screened with holds, changed after
// screening, or never screened. The file is chosen with the native dialog, typed, or dropped on
// the window; the Rust side reads it. The rules are the core's; this screen only shows them.
import {
  checkPaymentFile,
  pickPaymentFile,
  saveApprovedCopy,
  screenPaymentFile,
  toCommandError,
  watchDrops,
  type CommandError,
  type FileCheckView,
  type ScreenFindingView,
  type ScreenLineView,
  type ScreenReasonView,
  type ScreenView,
  type ScreeningEntry,
} from "../api";
import { errorBox, h } from "../dom";
import { may } from "../access";
import type { Shell } from "../app";
import { codeName, formatAmount, formatDateTime, formatNumber, t, tParts, tn } from "../i18n";
import type { LineVerdict } from "../codes";

/** Lines drawn at once, in the chosen order (a payment run may have tens of thousands). */
export const MAX_LINES = 500;

/** The orders the list can be read in. */
export const SORTS = ["worst", "line", "creditor", "amount"] as const;
export type Sort = (typeof SORTS)[number];

const RANK: Record<LineVerdict, number> = { blocked: 0, hold: 1, ok: 2 };

/** The lines in `sort` order: worst first (then by line), by line, by creditor, or largest amount first. */
export function sortLines(lines: readonly ScreenLineView[], sort: Sort): ScreenLineView[] {
  const byLine = (a: ScreenLineView, b: ScreenLineView) => a.number - b.number;
  const compare: Record<Sort, (a: ScreenLineView, b: ScreenLineView) => number> = {
    worst: (a, b) => RANK[a.verdict] - RANK[b.verdict] || byLine(a, b),
    line: byLine,
    creditor: (a, b) => a.creditor_name.localeCompare(b.creditor_name) || byLine(a, b),
    amount: (a, b) => Number(b.amount) - Number(a.amount) || a.currency.localeCompare(b.currency) || byLine(a, b),
  };
  return [...lines].sort(compare[sort]);
}

/** A line verdict's name in the chosen language. */
export function lineVerdictName(verdict: LineVerdict): string {
  return codeName("lineVerdict", verdict);
}

/** The last answer shown, so that coming back (from a partner's view) shows it again. */
let last: { user: string; draw: (shell: Shell) => HTMLElement } | null = null;

export function renderScreening(shell: Shell): void {
  const { content } = shell;
  // Who may screen is the core's permission table; everyone may check.
  const screener = may(shell.user, "payment_file.screen");
  const path = h("input", { id: "payment-file-path", type: "text", spellcheck: "false", autocomplete: "off", placeholder: t("screening.pathPlaceholder") });
  const result = h("div", { id: "screen-result", "aria-live": "polite" });
  const pick = h("button", { id: "pick-payment-file", type: "button", class: "secondary" }, t("screening.pick"));
  const screen = screener ? h("button", { id: "screen-submit", type: "submit" }, t("screening.screen")) : null;
  const check = h("button", { id: "check-submit", type: "button", class: screener ? "secondary" : "" }, t("screening.check"));
  const show = (draw: (shell: Shell) => HTMLElement) => {
    last = { user: shell.user.name, draw };
    result.replaceChildren(draw(shell));
  };
  const run = async (button: HTMLButtonElement, working: string, act: (file: string) => Promise<(shell: Shell) => HTMLElement>) => {
    const file = path.value.trim();
    button.disabled = true;
    result.replaceChildren(h("p", { class: "hint" }, t(working, { file: baseName(file) })));
    try {
      show(await act(file));
      // The answer is what the person reads next: its heading takes the focus (and the view).
      result.querySelector<HTMLElement>("h3")?.focus();
    } catch (reason) {
      last = null;
      result.replaceChildren(screenError(toCommandError(reason)));
    } finally {
      button.disabled = false;
    }
  };
  const choose = (file: string) => {
    path.value = file;
    result.replaceChildren(h("p", { class: "hint", id: "payment-file-ready" }, t(screener ? "screening.ready" : "screening.readyCheck", { file: baseName(file) })));
    (screen ?? check).focus();
  };
  pick.addEventListener("click", async () => {
    try {
      const chosen = await pickPaymentFile();
      if (chosen) choose(chosen);
    } catch (reason) {
      result.replaceChildren(errorBox(toCommandError(reason), "screen-error"));
    }
  });
  // A file dropped on the window is the one to screen or check (one at a time).
  void watchDrops((paths) => paths[0] && choose(paths[0])).catch(() => undefined);
  check.addEventListener("click", () => void run(check, "screening.checking", async (file) => checkView(await checkPaymentFile(file))));
  const form = h(
    "form",
    { id: "payment-file-form", class: "card" },
    h("p", { class: "hint" }, t(screener ? "screening.intro" : "screening.introCheck")),
    h("label", { for: "payment-file-path" }, t("screening.fileLabel")),
    h("div", { class: "row tight" }, path, pick),
    h("div", { class: "row" }, screen, check),
    h("p", { class: "hint" }, t("screening.checkHint")),
  );
  // Enter in the path field screens (or, for those who only check, checks).
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (screen) void run(screen, "screening.screening", async (file) => reportView(await screenPaymentFile(file)));
    else check.click();
  });
  content.replaceChildren(h("h2", { id: "screening-title", tabindex: -1 }, t(screener ? "screening.title" : "screening.titleCheck")), form, result);
  if (last?.user === shell.user.name) result.replaceChildren(last.draw(shell));
  else last = null;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/**
 * A refusal: an unreadable or invalid payment file in words (the core's message names the line
 * and the problem), anything else as every screen shows a command's error.
 */
export function screenError(error: CommandError): HTMLElement {
  if (error.code !== "payment_file_invalid") return errorBox(error, "screen-error");
  return h(
    "div",
    { id: "screen-error", class: "error", role: "alert", "data-code": error.code },
    h("p", { class: "summary" }, t("screening.invalidTitle")),
    h("p", { id: "screen-error-message" }, error.message),
    h("p", { class: "hint" }, t("screening.invalidHint")),
  );
}

/** The screening's report: verdict and counts, the file's facts, its findings, and the lines. */
export function reportView(view: ScreenView): (shell: Shell) => HTMLElement {
  return (shell) =>
    h(
      "div",
      { id: "screen-report", "data-verdict": view.verdict, "data-event": view.event },
      h(
        "section",
        { class: "card" },
        h("h3", { id: "screen-report-title", tabindex: -1 }, t("screening.reportTitle", { file: view.file_name })),
        verdictBanner(view),
        facts(view),
        copySection(view),
      ),
      view.file_findings.length > 0 ? findingsSection(view.file_findings) : null,
      linesSection(view, shell),
    );
}

function verdictBanner(view: ScreenView): HTMLElement {
  const c = view.counts;
  const count = (verdict: LineVerdict, n: number) =>
    h("li", { class: `badge screen-${verdict}`, "data-verdict": verdict, "data-count": n }, t(`screening.counts.${verdict}`, { n: formatNumber(n) }));
  return h(
    "div",
    { id: "screen-verdict", class: `verdict-banner verdict-${view.verdict}`, "data-verdict": view.verdict },
    h("p", { class: "verdict-line" }, h("span", { class: `badge large screen-${view.verdict}` }, lineVerdictName(view.verdict)), " ", t(`screening.verdict.${view.verdict}`)),
    h("ul", { id: "screen-counts", class: "counts" }, h("li", { class: "total" }, tn("screening.counts.lines", c.lines)), count("ok", c.ok), count("hold", c.hold), count("blocked", c.blocked)),
  );
}

function facts(view: ScreenView): HTMLElement {
  const pair = (label: string, value: string | Node, id?: string) => [h("dt", {}, label), h("dd", { id }, value)];
  return h(
    "dl",
    { class: "facts" },
    ...pair(t("screening.fact.version"), view.version, "screen-version"),
    ...pair(t("screening.fact.messageId"), view.message_id, "screen-message-id"),
    ...pair(t("screening.fact.created"), view.created_at),
    ...pair(t("screening.fact.screened"), t("screening.fact.screenedBy", { at: formatDateTime(view.screened_at), user: view.screened_by })),
    ...pair(t("screening.fact.event"), t("screening.fact.eventValue", { event: view.event })),
    ...pair(t("screening.fact.sha256"), h("code", { class: "hash" }, view.file_sha256)),
  );
}

/** "Write approved copy", when some lines are ok and some are not. */
function copySection(view: ScreenView): HTMLElement | null {
  if (view.copy_lines === null) return null;
  const done = h("div", { id: "copy-result", "aria-live": "polite" });
  const write = h("button", { id: "write-copy", type: "button" }, t("screening.copy.write"));
  write.addEventListener("click", async () => {
    write.disabled = true;
    try {
      const saved = await saveApprovedCopy(view.event);
      const path = h("code", { id: "copy-path" }, saved.saved_to);
      const text = tParts("screening.copy.saved", { path, kept: formatNumber(saved.lines), total: formatNumber(saved.of) });
      done.replaceChildren(h("p", { id: "copy-saved", class: "notice", role: "status" }, ...text));
    } catch (reason) {
      done.replaceChildren(errorBox(toCommandError(reason), "copy-error"));
    } finally {
      write.disabled = false;
    }
  });
  return h(
    "div",
    { id: "copy-section", class: "copy" },
    h("div", { class: "row" }, write, h("span", { id: "copy-hint", class: "hint" }, t("screening.copy.hint", { kept: formatNumber(view.copy_lines), total: formatNumber(view.counts.lines) }))),
    done,
  );
}

function findingsSection(findings: ScreenFindingView[]): HTMLElement {
  return h(
    "section",
    { id: "screen-findings", class: "card" },
    h("h3", {}, t("screening.findings.title")),
    h(
      "ul",
      { class: "reasons" },
      ...findings.map((f) =>
        h(
          "li",
          { class: "finding finding-warning", "data-code": f.code },
          h("strong", {}, codeName("screenReason", f.code)),
          ` (${f.block === null ? t("screening.findings.header") : t("screening.findings.block", { block: f.block })}): `,
          f.message,
        ),
      ),
    ),
  );
}

function reasonItem(r: ScreenReasonView): HTMLElement {
  const weight = r.verdict === "blocked" ? "critical" : "warning";
  return h("li", { class: `finding finding-${weight}`, "data-code": r.code, "data-verdict": r.verdict }, h("strong", {}, codeName("screenReason", r.code)), ": ", r.message);
}

/**
 * The creditor as written, and the partner the line matched as a link to its view: the name
 * itself when it is the partner's, else "Partner: …" under it.
 */
function creditorCell(line: ScreenLineView, shell: Shell): HTMLElement {
  const partner = line.partner;
  const link = (text: string, cls: string) => {
    const b = h("button", { type: "button", class: `link partner-link ${cls}`, "data-partner-id": partner!.id, title: t("screening.partnerTitle", { name: partner!.name }) }, text);
    b.addEventListener("click", () => shell.openPartner(partner!.id));
    return b;
  };
  const same = partner !== null && partner.name === line.creditor_name;
  return h(
    "td",
    { class: "creditor" },
    same ? link(line.creditor_name, "creditor-name") : h("span", { class: "creditor-name" }, line.creditor_name),
    partner && !same ? h("span", { class: "partner" }, `${t("screening.partner")} `, link(partner.name, "")) : null,
    line.remittance ? h("span", { class: "remittance hint" }, line.remittance) : null,
  );
}

function lineRows(line: ScreenLineView, shell: Shell): HTMLElement {
  const columns = 5;
  return h(
    "tbody",
    { class: `line line-${line.verdict}`, "data-line": line.number, "data-verdict": line.verdict },
    h(
      "tr",
      {},
      h("td", { class: "num" }, formatNumber(line.number)),
      h("td", {}, h("span", { class: `badge screen-${line.verdict}` }, lineVerdictName(line.verdict))),
      creditorCell(line, shell),
      h("td", { class: "account" }, line.account),
      h("td", { class: "num amount" }, formatAmount(line.amount, line.currency)),
    ),
    line.reasons.length > 0 ? h("tr", { class: "reasons-row" }, h("td", {}), h("td", { colspan: columns - 1 }, h("ul", { class: "reasons" }, ...line.reasons.map(reasonItem)))) : null,
  );
}

function linesSection(view: ScreenView, shell: Shell): HTMLElement {
  const sort = h("select", { id: "screen-sort" }, ...SORTS.map((s) => h("option", { value: s }, t(`screening.sort.${s}`))));
  const note = h("p", { id: "screen-lines-note", class: "hint" });
  const head = [t("screening.col.line"), t("screening.col.verdict"), t("screening.col.creditor"), t("screening.col.account"), t("screening.col.amount")];
  const table = h("table", { id: "screen-lines" }, h("thead", {}, h("tr", {}, ...head.map((name) => h("th", { scope: "col" }, name)))));
  const draw = () => {
    const sorted = sortLines(view.lines, sort.value as Sort);
    table.querySelectorAll("tbody").forEach((b) => b.remove());
    table.append(...sorted.slice(0, MAX_LINES).map((line) => lineRows(line, shell)));
    note.hidden = sorted.length <= MAX_LINES;
    note.textContent = t("screening.lines.capped", { shown: formatNumber(MAX_LINES), total: formatNumber(sorted.length) });
  };
  sort.addEventListener("change", draw);
  draw();
  return h(
    "section",
    { id: "screen-lines-section", class: "card" },
    h("h3", {}, t("screening.lines.title")),
    h("div", { class: "row" }, h("label", { for: "screen-sort" }, t("screening.sort.label")), sort),
    note,
    table,
  );
}

/** The check's answer: what the log says about these bytes, and other files with the same message id. */
export function checkView(check: FileCheckView): (shell: Shell) => HTMLElement {
  return () => {
    const s = check.screening;
    const params: Record<string, string> = s
      ? { at: formatDateTime(s.at), user: s.by, n: formatNumber(s.counts.ok), hold: formatNumber(s.counts.hold), blocked: formatNumber(s.counts.blocked) }
      : {};
    const good = check.standing === "screened_ok" || check.standing === "approved_copy";
    return h(
      "section",
      { id: "check-result", class: "card", "data-standing": check.standing },
      h("h3", { id: "check-title", tabindex: -1 }, t("screening.checkTitle", { file: check.file_name })),
      h(
        "div",
        { id: "check-verdict", class: `verdict-banner verdict-${good ? "ok" : check.standing === "not_screened" ? "hold" : "blocked"}` },
        h("p", { class: "verdict-line" }, h("span", { id: "check-standing", class: "badge large" }, codeName("screening.standingName", check.standing)), " ", h("span", { id: "check-sentence" }, t(`screening.standing.${check.standing}`, params))),
      ),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, t("screening.fact.messageId")),
        h("dd", {}, check.message_id ?? "—"),
        h("dt", {}, t("screening.fact.sha256")),
        h("dd", {}, h("code", { class: "hash" }, check.file_sha256)),
        ...(s ? [h("dt", {}, t("screening.fact.event")), h("dd", {}, t("screening.fact.eventValue", { event: s.event }))] : []),
      ),
      check.same_message.length > 0 ? sameMessage(check.message_id ?? "", check.same_message) : null,
    );
  };
}

function sameMessage(id: string, entries: ScreeningEntry[]): HTMLElement {
  return h(
    "div",
    { id: "check-same-message" },
    h("h4", {}, t("screening.sameMessage", { id })),
    h(
      "ul",
      {},
      ...entries.map((e) =>
        h(
          "li",
          { "data-event": e.event },
          h("span", { class: `badge screen-${e.verdict}` }, lineVerdictName(e.verdict)),
          " ",
          t("screening.sameMessageEntry", { at: formatDateTime(e.at), user: e.by, event: e.event }),
          " ",
          h("code", { class: "hash" }, e.file_sha256),
        ),
      ),
    ),
  );
}
