// The auditor's view: the state of the log (its full check, optionally against a checkpoint kept
// outside the workspace: intact with its counts and the audit key, or the first bad event and
// what is wrong), a checkpoint to keep, the log with filters (case, partner, actor, action,
// period) a page at a time, newest first, with "Load more" for older pages (issue 19: the log is
// never read whole for the screen), the evidence bundle and CSV of what the filters choose, and a chart of verifications
// (accepted, held, rejected) and denials (callbacks denied, refused attempts) per day. Who may
// do what is the core's; its refusals are shown with their codes. The chart is SVG drawn here
// (presentation attributes and classes only: the CSP forbids inline styles).
import { sortable } from "../sortable";
import { LIST_PAGE, moreButton } from "../loadmore";
import { labelled } from "./form";
import {
  auditActivity,
  auditLog,
  exportAuditBundle,
  exportAuditCsv,
  listPartners,
  pickCheckpointFile,
  saveAuditCheckpoint,
  toCommandError,
  verifyAudit,
  type ActivityDay,
  type AuditFileView,
  type AuditFilter,
  type AuditEvent,
  type AuditLogView,
  type AuditStatus,
  type PartnerRow,
} from "../api";
import { errorBox, h, notice, svg } from "../dom";
import { codeName, formatDate, formatDateTime, formatNumber, t, tn } from "../i18n";
import { eventDetails, eventText } from "../words";
import { EVENT_ACTIONS } from "../bindings/coreCodes";
import type { Shell } from "../app";

/** The most days the chart draws (the newest). */
export const CHART_DAYS = 31;

/** Actions offered as suggestions for the action filter (a prefix selects the actions under it). */
const ACTIONS = ["instruction", "case", "partner", "user", "login", "permission", "policy", "org", "audit"];

/** The chart's series: which count, and its class (colour, in style.css). */
const VERIFICATIONS = ["accepted", "hold", "rejected"] as const;
const DENIALS = ["denied", "refused"] as const;

/** An empty filter: every event. */
export function noFilter(): AuditFilter {
  return { case: null, partner: null, actor: null, action: null, from: null, until: null };
}

/** The auditor's screen. */
export async function renderAudit(shell: Shell): Promise<void> {
  const title = h("h2", { id: "audit-title", tabindex: -1 }, t("audit.title"));
  const status = h("section", { id: "audit-status", class: "card" });
  const filters = h("section", { id: "audit-filters", class: "card" });
  const chart = h("section", { id: "audit-chart", class: "card" });
  const log = h("section", { id: "audit-log", class: "card" });
  shell.content.replaceChildren(title, status, filters, chart, log);
  title.focus();
  renderStatus(status, null);
  let partners: PartnerRow[] = [];
  try {
    partners = await listPartners(null, null);
  } catch {
    // The partner filter then takes an id; the log itself answers for the role.
  }
  const show = (filter: AuditFilter) => Promise.all([renderChart(chart, filter), renderLog(log, filter, shell)]);
  filters.replaceChildren(...filterForm(partners, (filter) => void show(filter)));
  await show(noFilter());
}

// The log's state --------------------------------------------------------------------------------

function renderStatus(section: HTMLElement, result: AuditStatus | { error: { code: string; message: string } } | null): void {
  const verify = h("button", { id: "audit-verify", type: "button" }, t("audit.verify"));
  const against = h("button", { id: "audit-verify-against", type: "button", class: "secondary" }, t("audit.verifyAgainst"));
  const keep = h("button", { id: "audit-checkpoint", type: "button", class: "secondary" }, t("audit.saveCheckpoint"));
  const feedback = h("div", { id: "audit-checkpoint-feedback", "aria-live": "polite" });
  const run = async (button: HTMLButtonElement, path: string | null) => {
    button.disabled = true;
    try {
      renderStatus(section, await verifyAudit(path));
    } catch (reason) {
      renderStatus(section, { error: toCommandError(reason) });
    }
  };
  verify.addEventListener("click", () => void run(verify, null));
  against.addEventListener("click", () => {
    void (async () => {
      try {
        const path = await pickCheckpointFile();
        if (path) await run(against, path);
      } catch (reason) {
        feedback.replaceChildren(errorBox(toCommandError(reason), "audit-checkpoint-error"));
      }
    })();
  });
  keep.addEventListener("click", () => void saving(keep, feedback, "audit-checkpoint", saveAuditCheckpoint, (f) => t("audit.checkpointSaved", { path: f.saved_to, n: formatNumber(f.events) })));
  section.replaceChildren(h("h3", {}, t("audit.status.title")), statusLine(result), h("div", { class: "row" }, verify, against, keep), feedback);
}

function statusLine(result: AuditStatus | { error: { code: string; message: string } } | null): HTMLElement {
  if (result === null) return h("p", { id: "audit-result", class: "hint", "data-intact": "unknown" }, t("audit.status.unchecked"));
  if ("error" in result) return h("div", { id: "audit-result", "data-intact": "unknown" }, errorBox(result.error, "audit-verify-error"));
  if (!result.intact && result.problem) {
    const p = result.problem;
    const kind = codeName("tamper", p.code);
    const text = p.seq === null ? t("audit.status.brokenNoSeq", { kind, message: p.message }) : t("audit.status.broken", { seq: formatNumber(p.seq), kind, message: p.message });
    return h("div", { id: "audit-result", class: "error", role: "alert", "data-intact": "false", "data-problem": p.code }, h("p", { class: "broken" }, `✗ ${text}`));
  }
  const lines = [
    h(
      "p",
      { class: "intact" },
      `✓ ${
        result.checkpoints === 0
          ? t("audit.status.intactNoCheckpoint", { events: formatNumber(result.events) })
          : t("audit.status.intact", { events: formatNumber(result.events), checkpoints: formatNumber(result.checkpoints), witnessed: formatNumber(result.witnessed) })
      }`,
    ),
    h("p", {}, t("audit.status.auditKey"), " ", h("span", { id: "audit-key", class: "fingerprint-small" }, result.audit_key ?? t("audit.status.noKey"))),
    h("p", { class: "hint" }, t("audit.status.root"), " ", h("code", { id: "audit-root" }, result.root)),
    result.against !== null ? h("p", { id: "audit-against" }, t("audit.status.against", { n: formatNumber(result.against) })) : null,
  ];
  return h("div", { id: "audit-result", class: "notice", role: "status", "data-intact": "true" }, ...lines);
}

/** Runs a save with the button disabled; where it went, or the refusal, goes to `feedback`. */
async function saving(button: HTMLButtonElement, feedback: HTMLElement, id: string, send: () => Promise<AuditFileView>, done: (f: AuditFileView) => string): Promise<void> {
  feedback.replaceChildren();
  button.disabled = true;
  try {
    const file = await send();
    feedback.replaceChildren(notice(done(file), `${id}-notice`));
  } catch (reason) {
    feedback.replaceChildren(errorBox(toCommandError(reason), `${id}-error`));
  } finally {
    button.disabled = false;
  }
}

// Filters ----------------------------------------------------------------------------------------

function filterForm(partners: PartnerRow[], apply: (filter: AuditFilter) => void): HTMLElement[] {
  const caseId = h("input", { id: "filter-case", type: "number", min: 1, step: 1, inputmode: "numeric" });
  const partner = partners.length
    ? h("select", { id: "filter-partner" }, h("option", { value: "" }, t("audit.filter.anyPartner")), ...partners.map((p) => h("option", { value: p.id }, p.name)))
    : h("input", { id: "filter-partner", type: "number", min: 1, step: 1, inputmode: "numeric" });
  const actor = h("input", { id: "filter-actor", type: "text", autocomplete: "off", spellcheck: "false" });
  const action = h("input", { id: "filter-action", type: "text", autocomplete: "off", spellcheck: "false", list: "filter-actions" });
  // The prefixes, then every action the log knows, each with its words.
  const actions = h(
    "datalist",
    { id: "filter-actions" },
    ...ACTIONS.map((a) => h("option", { value: a })),
    ...EVENT_ACTIONS.map((a) => h("option", { value: a }, eventText(a))),
  );
  const from = h("input", { id: "filter-from", type: "date" });
  const until = h("input", { id: "filter-until", type: "date" });
  const submit = h("button", { id: "filter-apply", type: "submit" }, t("audit.filter.apply"));
  const clear = h("button", { id: "filter-clear", type: "reset", class: "secondary" }, t("audit.filter.clear"));
  const form = h(
    "form",
    { id: "audit-filter-form" },
    h(
      "div",
      { class: "row filters" },
      labelled("filter-case", t("audit.filter.case"), caseId),
      labelled("filter-partner", t("audit.filter.partner"), partner),
      labelled("filter-actor", t("audit.filter.actor"), actor),
      labelled("filter-action", t("audit.filter.action"), action),
      labelled("filter-from", t("audit.filter.from"), from),
      labelled("filter-until", t("audit.filter.until"), until),
    ),
    actions,
    h("p", { class: "hint" }, t("audit.filter.hint")),
    h("div", { class: "row" }, submit, clear),
  );
  const read = (): AuditFilter => {
    const id = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : null);
    const str = (text: string) => (text.trim() === "" ? null : text.trim());
    return { case: id(caseId.value), partner: id(partner.value), actor: str(actor.value), action: str(action.value), from: str(from.value), until: str(until.value) };
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply(read());
  });
  form.addEventListener("reset", () => setTimeout(() => apply(noFilter()), 0));
  const bundle = h("button", { id: "audit-export-bundle", type: "button" }, t("audit.export.bundle"));
  const csv = h("button", { id: "audit-export-csv", type: "button", class: "secondary" }, t("audit.export.csv"));
  const feedback = h("div", { id: "audit-export-feedback", "aria-live": "polite" });
  bundle.addEventListener("click", () => void saving(bundle, feedback, "audit-export", () => exportAuditBundle(read()), (f) => t("audit.export.bundleSaved", { path: f.saved_to, n: formatNumber(f.events) })));
  csv.addEventListener("click", () => void saving(csv, feedback, "audit-export", () => exportAuditCsv(read()), (f) => t("audit.export.csvSaved", { path: f.saved_to, n: formatNumber(f.events) })));
  return [h("h3", {}, t("audit.filter.title")), form, h("div", { class: "row" }, bundle, csv), h("p", { class: "hint" }, t("audit.export.hint")), feedback];
}

// The log ----------------------------------------------------------------------------------------

async function renderLog(section: HTMLElement, filter: AuditFilter, shell: Shell): Promise<void> {
  const heading = h("h3", {}, t("audit.log.title"));
  section.dataset.state = "loading";
  let view: AuditLogView;
  try {
    view = await auditLog(filter, LIST_PAGE, null);
  } catch (reason) {
    section.replaceChildren(heading, errorBox(toCommandError(reason), "audit-log-error"));
    section.dataset.state = "error";
    return;
  }
  // Counted on the first page only; later pages answer no total.
  const total = view.total ?? view.events.length;
  const count = h("p", { id: "audit-count", "data-total": total });
  const counted = (shown: number) => {
    count.dataset.shown = String(shown);
    count.textContent = shown < total ? t("audit.log.showing", { shown: formatNumber(shown), total: formatNumber(total) }) : tn("audit.log.count", total);
  };
  counted(view.events.length);
  if (view.events.length === 0) {
    section.replaceChildren(heading, count);
    section.dataset.state = "ready";
    return;
  }
  const body = h("tbody", {}, ...view.events.map((e) => eventRow(e, shell)));
  const table = h(
    "table",
    // j/k and the arrows go through the events, Enter shows one beside the log (listnav.ts).
    { id: "audit-table", "data-listnav": "tr[data-seq]" },
    h(
      "thead",
      {},
      h("tr", {}, ...["seq", "at", "actor", "action", "subject", "details"].map((c) => h("th", {}, t(`audit.log.col.${c}`)))),
    ),
    body,
  );
  sortable(table, { initial: { column: 0, direction: "descending" } });
  const failure = h("div", { id: "audit-more-feedback", "aria-live": "polite" });
  // Older pages below the cursor the command answers, as the store pages them.
  const more = moreButton(
    "audit-more",
    view.next,
    async (after) => {
      const page = await auditLog(filter, LIST_PAGE, after);
      return { items: page.events, next: page.next };
    },
    (events) => {
      failure.replaceChildren();
      body.append(...events.map((e) => eventRow(e, shell)));
      counted(body.querySelectorAll("tr").length);
    },
    (reason) => failure.replaceChildren(errorBox(toCommandError(reason), "audit-more-error")),
  );
  section.replaceChildren(heading, count, table, ...(more ? [more] : []), failure);
  section.dataset.state = "ready";
}

/** One event's row of the log. */
function eventRow(e: AuditEvent, shell: Shell): HTMLElement {
  return h(
    "tr",
    { "data-seq": e.seq, "data-action": e.action },
    h("td", { class: "num", "data-sort": e.seq }, eventButton(e, shell)),
    h("td", {}, h("time", { datetime: e.at }, formatDateTime(e.at))),
    h("td", {}, e.actor),
    h("td", { class: "event" }, eventText(e.action)),
    h("td", {}, e.subject),
    h("td", { class: "details" }, ...detailsInWords(e.details)),
  );
}

/**
 * An event's details in words (issue 19: no raw JSON): the details people read, each labelled;
 * the rest (hashes, signatures) stays in the log, the bundle and the CSV.
 */
function detailsInWords(details: string): HTMLElement[] {
  const facts = eventDetails(details);
  const shown = facts.slice(0, 4);
  const items = shown.map(([name, value]) => h("span", { class: "detail" }, h("span", { class: "detail-name" }, `${name}: `), value));
  if (facts.length > shown.length) items.push(h("span", { class: "hint" }, t("audit.details.more", { n: facts.length - shown.length })));
  return items;
}

// The chart --------------------------------------------------------------------------------------

async function renderChart(section: HTMLElement, filter: AuditFilter): Promise<void> {
  const heading = h("h3", {}, t("audit.chart.title"));
  let days: ActivityDay[];
  try {
    days = await auditActivity(filter);
  } catch (reason) {
    section.replaceChildren(heading, errorBox(toCommandError(reason), "audit-chart-error"));
    return;
  }
  section.replaceChildren(heading, ...activityChart(days));
}

const SERIES_KEYS: Record<(typeof VERIFICATIONS)[number] | (typeof DENIALS)[number], string> = {
  accepted: "audit.chart.accepted",
  hold: "audit.chart.hold",
  rejected: "audit.chart.rejected",
  denied: "audit.chart.denied",
  refused: "audit.chart.refused",
};

/**
 * Two stacked bars per day, the newest {@link CHART_DAYS} days: verifications (accepted, held,
 * rejected) and denials (callbacks denied, refused attempts); a legend, and each bar's numbers in
 * its tooltip. Nothing but elements and attributes, so no style is needed inline.
 */
export function activityChart(all: ActivityDay[]): HTMLElement[] {
  const days = all.slice(-CHART_DAYS);
  if (days.length === 0) return [h("p", { id: "audit-chart-empty", class: "hint" }, t("audit.chart.empty"))];
  const total = (d: ActivityDay, keys: readonly (keyof typeof SERIES_KEYS)[]) => keys.reduce((n, k) => n + d[k], 0);
  const max = Math.max(1, ...days.map((d) => Math.max(total(d, VERIFICATIONS), total(d, DENIALS))));
  const left = 36;
  const top = 8;
  const plot = 160;
  const slot = 24;
  const bar = 9;
  const width = left + days.length * slot + 8;
  const height = top + plot + 28;
  const image = svg("svg", { id: "audit-chart-svg", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": t("audit.chart.label", { days: days.length }) });
  const y = (n: number) => top + plot - (n / max) * plot;
  image.append(svg("line", { x1: left, y1: top + plot, x2: width - 4, y2: top + plot, class: "axis" }));
  for (const n of [0, max]) {
    const label = svg("text", { x: left - 6, y: y(n) + 4, "text-anchor": "end", class: "tick" });
    label.textContent = formatNumber(n);
    image.append(label);
  }
  days.forEach((d, i) => {
    const x = left + i * slot + 2;
    const group = svg("g", { class: "day", "data-day": d.day });
    const tip = svg("title", {});
    tip.textContent = `${formatDate(d.day)}: ${[...VERIFICATIONS, ...DENIALS].map((k) => `${t(SERIES_KEYS[k])} ${formatNumber(d[k])}`).join(", ")}`;
    group.append(tip);
    const stack = (keys: readonly (keyof typeof SERIES_KEYS)[], bx: number) => {
      let base = 0;
      for (const k of keys) {
        if (d[k] === 0) continue;
        group.append(svg("rect", { x: bx, y: y(base + d[k]), width: bar, height: y(base) - y(base + d[k]), class: `series-${k}`, "data-series": k, "data-count": d[k] }));
        base += d[k];
      }
    };
    stack(VERIFICATIONS, x);
    stack(DENIALS, x + bar + 1);
    if (i === 0 || i === days.length - 1 || days.length <= 8 || i % 7 === 0) {
      const label = svg("text", { x: x + bar, y: top + plot + 16, "text-anchor": "middle", class: "tick" });
      label.textContent = d.day.slice(5);
      group.append(label);
    }
    image.append(group);
  });
  const legend = h(
    "ul",
    { id: "audit-chart-legend", class: "legend" },
    ...[...VERIFICATIONS, ...DENIALS].map((k) => {
      const swatch = svg("svg", { width: 12, height: 12, viewBox: "0 0 12 12", "aria-hidden": "true" });
      swatch.append(svg("rect", { x: 0, y: 0, width: 12, height: 12, class: `series-${k}` }));
      return h("li", {}, swatch, " ", t(SERIES_KEYS[k]), " ", h("strong", { "data-series-total": k }, formatNumber(days.reduce((n, d) => n + d[k], 0))));
    }),
  );
  const caption = h("p", { class: "hint" }, t("audit.chart.caption", { from: formatDate(days[0].day), until: formatDate(days[days.length - 1].day) }));
  return [h("figure", { class: "chart" }, image), legend, caption];
}

/** The event's number, which shows the event beside the log. */
function eventButton(e: AuditEvent, shell: Shell): HTMLElement {
  const open = h("button", { type: "button", class: "link", "data-seq": e.seq, "aria-label": t("audit.event.open", { seq: e.seq }) }, String(e.seq));
  open.addEventListener("click", () => shell.showBeside?.((pane) => pane.replaceChildren(eventDetail(e))));
  return open;
}

/** One event of the log in full: when, who, what, about what, and its details laid out. */
export function eventDetail(e: AuditEvent): HTMLElement {
  const title = h("h3", { id: "audit-event-title", tabindex: -1 }, t("audit.event.title", { seq: e.seq }));
  const fact = (key: string, value: Node | string) => [h("dt", {}, t(`audit.log.col.${key}`)), h("dd", {}, value)];
  const detail = h(
    "article",
    { id: "audit-event", class: "card", "data-seq": e.seq, "aria-labelledby": "audit-event-title" },
    title,
    h(
      "dl",
      { class: "facts" },
      ...fact("at", h("time", { datetime: e.at }, formatDateTime(e.at))),
      ...fact("actor", e.actor),
      ...fact("action", h("code", {}, e.action)),
      ...fact("subject", e.subject),
    ),
    h("h4", {}, t("audit.log.col.details")),
    h("pre", { id: "audit-event-details", class: "details" }, laidOut(e.details)),
  );
  queueMicrotask(() => title.focus());
  return detail;
}

/** Details that are JSON, indented one field a line; anything else as it is. */
export function laidOut(details: string): string {
  try {
    return JSON.stringify(JSON.parse(details), null, 2);
  } catch {
    return details;
  }
}
