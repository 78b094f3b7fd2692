// The message catalogues and locale formatting: every string the UI shows comes from `t(key)`,
// in English, Turkish or Spanish. Catalogues are split by area (core.ts: first run, sign-in,
// inbox, case and callback; admin.ts: partners, outgoing instructions and settings; auditor.ts:
// the auditor's view; changes.ts: four eyes, pending changes and marked accounts; team.ts: team
// workspaces on a server and the live queue; screening.ts: the ERP's payment file; queue.ts: My
// work, the work queue; layout.ts: the side navigation, split views, sorting and shortcuts;
// answer.ts: answering a customer's callback about our details; codes.ts: the words for the codes
// the Rust side sends: findings, errors, the log's events; errors.ts: the sentences of errors that
// name particulars, with their values as placeholders), each holding
// the same keys in every language; `missingKeys()` lists any gap and a test fails on one. Dates
// and amounts are formatted with Intl for the chosen locale: one date format and one amount format
// per language (`formatDate`, `formatDateTime`, `formatTime` share the date style and the time style).
import core from "./core";
import admin from "./admin";
import auditor from "./auditor";
import changes from "./changes";
import team from "./team";
import screening from "./screening";
import queue from "./queue";
import layout from "./layout";
import answer from "./answer";
import codes from "./codes";
import errors from "./errors";

export type Locale = "en" | "tr" | "es";

/** One area's strings in every language; each language must have the same keys. */
export type AreaCatalogue = Record<Locale, Record<string, string>>;

/** The languages offered by the picker, each named in itself. */
export const LOCALES: readonly { code: Locale; name: string; tag: string }[] = [
  { code: "en", name: "English", tag: "en-GB" },
  { code: "tr", name: "Türkçe", tag: "tr-TR" },
  { code: "es", name: "Español", tag: "es-ES" },
];

const AREAS: Record<string, AreaCatalogue> = { core, admin, auditor, changes, team, screening, queue, layout, answer, codes, errors };
const STORAGE_KEY = "countersign.locale";

function merged(locale: Locale): Record<string, string> {
  return Object.assign({}, ...Object.values(AREAS).map((area) => area[locale]));
}

const CATALOGUES: Record<Locale, Record<string, string>> = {
  en: merged("en"),
  tr: merged("tr"),
  es: merged("es"),
};

function isLocale(value: unknown): value is Locale {
  return LOCALES.some((l) => l.code === value);
}

function stored(): Locale | null {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null;
  }
}

let current: Locale = stored() ?? "en";

/** The chosen language. */
export function locale(): Locale {
  return current;
}

/** The BCP 47 tag of the chosen language, for Intl. */
export function localeTag(): string {
  return LOCALES.find((l) => l.code === current)?.tag ?? "en-GB";
}

/** Chooses the language (remembered across runs); callers re-render. */
export function setLocale(next: Locale): void {
  current = next;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, next);
  } catch {
    // No storage (tests): the choice lasts until the app closes.
  }
  if (typeof document !== "undefined") document.documentElement.lang = next;
}

/**
 * The string for `key` in the chosen language, with `{name}` placeholders filled from `params`.
 * An unknown key comes back as itself in brackets, so a gap shows on screen (and the catalogue
 * test fails on it).
 */
export function t(key: string, params: Record<string, string | number> = {}): string {
  const text = CATALOGUES[current][key] ?? CATALOGUES.en[key];
  if (text === undefined) return `[${key}]`;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/**
 * A count in words: `key.one` when the language's plural rules call `n` "one", else `key.other`
 * (`tn("inbox.files", 2)` → "2 files"); `{n}` is the count formatted for the locale.
 */
export function tn(key: string, n: number, params: Record<string, string | number> = {}): string {
  const form = new Intl.PluralRules(localeTag()).select(n) === "one" ? "one" : "other";
  return t(`${key}.${form}`, { ...params, n: formatNumber(n) });
}

/**
 * A translated string with DOM nodes in place of its placeholders, for text with emphasised
 * parts: `tParts("callback.check", { payee: strong })` → ["Check: payee ", strong, ", …"].
 */
export function tParts<N>(key: string, parts: Record<string, N>): (string | N)[] {
  const out: (string | N)[] = [];
  const text = t(key);
  let last = 0;
  for (const m of text.matchAll(/\{(\w+)\}/g)) {
    if (!(m[1] in parts)) continue;
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(parts[m[1]]);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * The name the UI gives a code the Rust side sends (`codeName("status", "callback_confirmed")`
 * → `status.callback_confirmed` in the chosen language); a code the catalogue does not know yet
 * is shown as itself, underscores as spaces.
 */
export function codeName(group: string, code: string): string {
  const key = `${group}.${code}`;
  return hasKey(key) ? t(key) : code.replace(/_/g, " ");
}

/** Whether `key` exists (in English, the reference catalogue). */
export function hasKey(key: string): boolean {
  return key in CATALOGUES.en;
}

/** Every key missing from a language, or present there but not in English; empty when complete. */
export function missingKeys(): { locale: Locale; key: string; problem: "missing" | "extra" }[] {
  const gaps: { locale: Locale; key: string; problem: "missing" | "extra" }[] = [];
  for (const [, area] of Object.entries(AREAS)) {
    const reference = Object.keys(area.en);
    for (const { code } of LOCALES) {
      const keys = new Set(Object.keys(area[code]));
      for (const key of reference) if (!keys.has(key) || area[code][key].trim() === "") gaps.push({ locale: code, key, problem: "missing" });
      for (const key of keys) if (!(key in area.en)) gaps.push({ locale: code, key, problem: "extra" });
    }
  }
  return gaps;
}

/** Placeholders used in a string, for the test that every translation keeps them. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

/** Every area's catalogue, for tests. */
export function areas(): Record<string, AreaCatalogue> {
  return AREAS;
}

/** The one date style and the one time style of every language (see formatDate and formatDateTime). */
const DATE_STYLE = "medium";
const TIME_STYLE = "short";

/** A UTC time (`YYYY-MM-DDTHH:MM:SSZ`, or a `Date`) as a date and time in the chosen locale. */
export function formatDateTime(iso: string | Date): string {
  const date = typeof iso === "string" ? new Date(iso) : iso;
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(localeTag(), { dateStyle: DATE_STYLE, timeStyle: TIME_STYLE }).format(date);
}

/** A time of day (a `Date`) in the chosen locale, in the time style of `formatDateTime`. */
export function formatTime(date: Date): string {
  return new Intl.DateTimeFormat(localeTag(), { timeStyle: TIME_STYLE }).format(date);
}

/** A date (`YYYY-MM-DD` or a full time) as a date in the chosen locale, in the date style of `formatDateTime`. */
export function formatDate(iso: string): string {
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(localeTag(), { dateStyle: DATE_STYLE, timeZone: iso.length === 10 ? "UTC" : undefined }).format(date);
}

/** An amount (a decimal string such as "1250.00") in `currency`, formatted for the locale. */
export function formatAmount(amount: string, currency: string): string {
  const value = Number(amount);
  if (!Number.isFinite(value)) return `${amount} ${currency}`;
  try {
    return new Intl.NumberFormat(localeTag(), { style: "currency", currency }).format(value);
  } catch {
    return `${new Intl.NumberFormat(localeTag(), { minimumFractionDigits: 2 }).format(value)} ${currency}`;
  }
}

/**
 * An amount as the Rust side writes it (`Money`'s `1250.00 EUR`; `EUR 1250.00` is read too)
 * formatted for the locale; anything else is shown as it came.
 */
export function formatMoney(text: string): string {
  const m = text.trim().match(/^(?:([A-Z]{3})\s+)?(\d+(?:\.\d+)?)(?:\s+([A-Z]{3}))?$/);
  const currency = m?.[1] ?? m?.[3];
  if (!m || !currency || (m[1] && m[3])) return text;
  return formatAmount(m[2], currency);
}

/**
 * A length of time (whole seconds) in the chosen locale's units: hours and minutes, or minutes
 * and seconds under an hour (the cooling-off's countdown).
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const unit = (value: number, name: string) => new Intl.NumberFormat(localeTag(), { style: "unit", unit: name, unitDisplay: "short" }).format(value);
  const hours = Math.floor(s / 3600);
  return hours > 0 ? `${unit(hours, "hour")} ${unit(Math.floor((s % 3600) / 60), "minute")}` : `${unit(Math.floor(s / 60), "minute")} ${unit(s % 60, "second")}`;
}

/** A count formatted for the locale. */
export function formatNumber(value: number): string {
  return new Intl.NumberFormat(localeTag()).format(value);
}
