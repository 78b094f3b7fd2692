// The codes the Rust side sends, in the user's language: a finding by its reason code with the
// values it names (an account, an amount, a time: formatted for the locale), an error by its
// code, and an event of the log by its action with its details as labelled facts. The words are
// the `codes` catalogue's (i18n/codes.ts); the core's English sentences are kept only as the
// detail behind them. No raw code and no raw JSON reaches the screen.
import { codeName, formatDate, formatDateTime, formatMoney, hasKey, locale, t } from "./i18n";

/** A code without words yet (never expected: codes.test.ts checks every code), made readable. */
function readable(code: string): string {
  return code.replace(/[._]/g, " ");
}

/** The sentence for a finding's reason code. */
export function findingText(code: string): string {
  return hasKey(`finding.${code}`) ? t(`finding.${code}`) : readable(code);
}

/** A value a finding names, formatted for the locale: times and dates, amounts, the rest as sent. */
export function valueText(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value)) return formatDateTime(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value);
  return formatMoney(value);
}

/** A finding's values as labelled facts, in the order the catalogue would read them. */
export function findingValues(values: Record<string, string | undefined>): [string, string][] {
  return Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => [hasKey(`findingValue.${name}`) ? t(`findingValue.${name}`) : readable(name), valueText(value)]);
}

/** What a command's error says, as the UI receives it (`CommandError`; detail and values optional). */
export type ErrorWords = { code: string; detail?: string | null; values?: Record<string, string | undefined> };

/** A value an error names, in words: fields, roles and statuses by their names, the rest as sent. */
function errorValue(name: string, value: string): string {
  if (name === "field") return codeName("errorField", value);
  if (name === "role") return codeName("role", value);
  if (name === "roles") return value.split(",").map((r) => codeName("role", r)).join(", ");
  if (name === "format") return codeName("case.format", value);
  if (name === "outcome") return codeName("outcome", value);
  if (name === "status") return hasKey(`status.${value}`) ? t(`status.${value}`) : codeName("changeStatus", value);
  return valueText(value);
}

/**
 * The sentence for a command's error: by its code and detail with the particulars it names
 * (`error.not_found.case`: "There is no case #7."), else by its code alone. An error code (a
 * string) alone is worded by its code.
 */
export function errorText(error: string | ErrorWords): string {
  const { code, detail, values } = typeof error === "string" ? { code: error, detail: null, values: {} } : error;
  if (detail && hasKey(`error.${code}.${detail}`)) {
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(values ?? {})) if (value !== undefined) params[name] = errorValue(name, value);
    return t(`error.${code}.${detail}`, params);
  }
  return hasKey(`error.${code}`) ? t(`error.${code}`) : readable(code);
}

/** Whether the core's own (English) sentences are in the user's language. */
export function coreSpeaksTheLanguage(): boolean {
  return locale() === "en";
}

/** What an event's actor did, in words (`case.callback` → "recorded a callback"). */
export function eventText(action: string): string {
  return hasKey(`event.${action}`) ? t(`event.${action}`) : readable(action);
}

/** A detail's value in words: codes by their names, lists joined, times formatted. */
function detailValue(key: string, value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (Array.isArray(value)) {
    const items = value.map((v) => (key === "codes" ? findingText(String(v)) : detailValue(key, v))).filter((v): v is string => v !== null);
    return items.length === 0 ? null : items.join(key === "codes" ? " · " : ", ");
  }
  if (typeof value === "object") return null;
  const text = String(value);
  if (key === "verdict" && hasKey(`verdict.${text}`)) return t(`verdict.${text}`);
  if ((key === "status" || key === "to" || key === "from") && hasKey(`status.${text}`)) return t(`status.${text}`);
  if (key === "outcome" && hasKey(`outcome.${text}`)) return t(`outcome.${text}`);
  if (key === "role" && hasKey(`role.${text}`)) return t(`role.${text}`);
  if (key === "refused") return errorText(text);
  if (key === "attempted") return eventText(text);
  return valueText(text);
}

/**
 * An event's details (the log's JSON) as labelled facts in words: only the details people read
 * (what was decided, the number dialled, a refusal's reason…); hashes, keys and signatures stay in
 * the log and its exports.
 */
export function eventDetails(details: string): [string, string][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return [];
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return [];
  const facts: [string, string][] = [];
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!hasKey(`detail.${key}`)) continue;
    // The core's English reason for a refusal is said by the refusal's code in other languages.
    if (key === "reason" && "refused" in (parsed as object) && !coreSpeaksTheLanguage()) continue;
    const text = detailValue(key, value);
    if (text !== null) facts.push([t(`detail.${key}`), text]);
  }
  return facts;
}
