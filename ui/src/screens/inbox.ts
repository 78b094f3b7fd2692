// The inbox: receive instruction files (a payment run shows progress), and the case list with
// verdict, partner, amount, age and status, filtered by status and searched as you type.
import { listCases, pickFiles, receiveFiles, toCommandError, watchDrops, type CaseSummary, type Received } from "../api";
import { errorBox, h } from "../dom";
import type { Shell } from "../app";

export const STATUSES = ["accepted", "hold", "callback_confirmed", "approved", "released", "rejected", "quarantined"];
/** Rows drawn at once; the search narrows the rest. Keeps thousands of cases fast. */
export const MAX_ROWS = 300;

/** "3 min", "5 h", "2 d" since `at` (RFC 3339, UTC). */
export function age(at: string, now: Date = new Date()): string {
  const seconds = Math.max(0, (now.getTime() - new Date(at).getTime()) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86400)} d`;
}

/** Cases whose id, partner, payee, amount, account, file or status contain every word of `query`. */
export function search(cases: CaseSummary[], query: string): CaseSummary[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return cases;
  return cases.filter((c) => {
    const hay = [c.id, c.partner, c.payee, c.amount, c.account, c.file_name, c.status, c.verdict]
      .filter((v) => v !== null)
      .join(" ")
      .toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Whether a path is an email message (`.eml`): the Rust side reads it as the email that carried the files. */
export function isEmailPath(path: string): boolean {
  return /\.eml$/i.test(path.trim());
}

export function label(status: string): string {
  return status.replace(/_/g, " ");
}

export async function renderInbox(shell: Shell, filter = ""): Promise<void> {
  const { content } = shell;
  const paths = h("textarea", { id: "receive-paths", rows: 3, spellcheck: "false", placeholder: "/home/you/Downloads/invoice-4711.cs.json" });
  const progress = h("progress", { id: "receive-progress", max: 1, value: 0, hidden: true });
  const results = h("div", { id: "receive-results", "aria-live": "polite" });
  const addPaths = (more: string[]) => {
    if (more.length === 0) return;
    const have = paths.value.split("\n").map((p) => p.trim()).filter(Boolean);
    paths.value = [...have, ...more.filter((p) => !have.includes(p))].join("\n");
    const emails = more.filter(isEmailPath).length;
    const files = more.length - emails;
    const what = [files ? `${files} file(s)` : "", emails ? `${emails} email(s)` : ""].filter(Boolean).join(" and ");
    results.replaceChildren(h("p", { class: "hint" }, `${what} added: press Receive.`));
    receiveForm.querySelector<HTMLButtonElement>("#receive-submit")?.focus();
  };
  const pick = h("button", { id: "pick-files", type: "button", class: "secondary" }, "Choose files…");
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
    h("h2", {}, "Receive instructions"),
    h(
      "p",
      { class: "hint" },
      "Choose the signed instruction files, drop them on this window, or type their paths. " +
        "Add the email that carried them too (one .eml file, saved from the mail program): it is checked as evidence and kept with each case.",
    ),
    h("label", { for: "receive-paths" }, "Instruction files and the email (.eml), one path per line"),
    paths,
    h("div", { class: "row" }, pick, h("button", { id: "receive-submit", type: "submit" }, "Receive"), progress),
    results,
  );

  const status = h("select", { id: "filter-status" }, h("option", { value: "" }, "All statuses"));
  for (const s of STATUSES) status.append(h("option", { value: s }, label(s)));
  status.value = filter;
  const query = h("input", { id: "search", type: "search", placeholder: "partner, payee, amount, account…", autocomplete: "off" });
  const count = h("p", { id: "case-count", class: "hint" });
  const body = h("tbody", {});
  const table = h(
    "table",
    { id: "cases" },
    h("thead", {}, h("tr", {}, ...["Case", "Verdict", "Partner", "Payee", "Amount", "Age", "Status"].map((t) => h("th", { scope: "col" }, t)))),
    body,
  );
  const listError = h("div", {});
  const list = h(
    "section",
    { class: "card", "aria-labelledby": "cases-title" },
    h("h2", { id: "cases-title" }, "Cases"),
    h("div", { class: "row" }, h("label", { for: "filter-status" }, "Status"), status, h("label", { for: "search" }, "Search"), query),
    listError,
    count,
    table,
  );
  content.replaceChildren(receiveForm, list);

  let cases: CaseSummary[] = [];
  const draw = () => {
    const shown = search(cases, query.value);
    const now = new Date();
    body.replaceChildren(
      ...shown.slice(0, MAX_ROWS).map((c) => {
        const open = h("button", { type: "button", class: "link open-case", "data-case-id": c.id }, `#${c.id}`);
        open.addEventListener("click", () => shell.openCase(c.id));
        return h(
          "tr",
          { "data-case-id": c.id, "data-status": c.status },
          h("td", {}, open),
          h("td", {}, h("span", { class: `badge ${c.verdict}` }, c.verdict)),
          h("td", {}, c.partner ?? "unknown signer"),
          h("td", {}, c.payee ?? ""),
          h("td", { class: "num" }, c.amount ?? ""),
          h("td", { title: c.received_at }, age(c.received_at, now)),
          h("td", {}, h("span", { class: `status ${c.status}` }, label(c.status)), c.account_fraudulent ? h("span", { class: "badge rejected" }, " fraudulent account") : null),
        );
      }),
    );
    count.textContent =
      shown.length > MAX_ROWS
        ? `${shown.length} cases match; showing the newest ${MAX_ROWS}. Narrow the search to see others.`
        : `${shown.length} of ${cases.length} cases`;
  };
  const load = async () => {
    listError.replaceChildren();
    try {
      cases = await listCases(status.value || null);
      draw();
    } catch (reason) {
      listError.replaceChildren(errorBox(toCommandError(reason), "cases-error"));
    }
  };
  status.addEventListener("change", () => void load());
  query.addEventListener("input", draw);

  receiveForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = paths.value.split("\n").map((p) => p.trim()).filter(Boolean);
    const files = chosen.filter((p) => !isEmailPath(p));
    const submit = receiveForm.querySelector<HTMLButtonElement>("#receive-submit")!;
    submit.disabled = true;
    progress.hidden = false;
    progress.max = Math.max(1, files.length);
    progress.value = 0;
    results.replaceChildren(h("p", { class: "hint" }, `Receiving ${files.length} file(s)…`));
    try {
      const received = await receiveFiles(chosen, (p) => {
        progress.max = p.total;
        progress.value = p.done;
      });
      results.replaceChildren(receivedList(received, shell));
      paths.value = "";
      await load();
    } catch (reason) {
      results.replaceChildren(errorBox(toCommandError(reason), "receive-error"));
    } finally {
      submit.disabled = false;
      progress.hidden = true;
    }
  });

  await load();
}

function receivedList(received: Received[], shell: Shell): HTMLElement {
  return h(
    "ul",
    { class: "received" },
    ...received.map((r) => {
      const open = r.case_id !== null ? h("button", { type: "button", class: "link", "data-case-id": r.case_id }, `open case #${r.case_id}`) : null;
      open?.addEventListener("click", () => shell.openCase(r.case_id!));
      return h(
        "li",
        { "data-verdict": r.verdict },
        h("span", { class: `badge ${r.verdict}` }, r.verdict),
        ` ${r.file_name}${r.partner ? ` from ${r.partner}` : ""}: ${r.findings.length} finding(s) `,
        open,
        r.findings.length === 0
          ? null
          : h(
              "ul",
              { class: "received-findings" },
              ...r.findings.map((f) =>
                h(
                  "li",
                  { class: `finding finding-${f.severity}`, "data-code": f.code, "data-severity": f.severity },
                  h("span", { class: `severity sev-${f.severity}` }, f.severity),
                  f.code.startsWith("email_") ? " Email: " : " ",
                  f.message,
                ),
              ),
            ),
      );
    }),
  );
}
