// Errors that name particulars are worded with them (issue 19): every detail the service lists
// (bindings/coreCodes.ts `ERROR_DETAILS`, generated from the service's `ERROR_DETAILS`) has a
// sentence in every language, and each sentence uses only the values its detail carries, the same
// ones in every language; no sentence is kept for a detail the service no longer gives.
import { describe, expect, it } from "vitest";
import { ERROR_DETAILS } from "../bindings/coreCodes";
import { LOCALES, areas, placeholders, type Locale } from "./index";

type Detail = { code: string; detail: string; values: readonly string[] };

/** Every problem of the catalogues' sentences for `details`: missing, extra or with a stray placeholder. */
function problems(details: readonly Detail[]): string[] {
  const all = Object.values(areas());
  const text = (lang: Locale, key: string) => all.map((area) => area[lang][key]).find((v) => v !== undefined) ?? "";
  const found: string[] = [];
  for (const { code, detail, values } of details) {
    const key = `error.${code}.${detail}`;
    const used = new Map<Locale, string[]>();
    for (const { code: lang } of LOCALES) {
      const sentence = text(lang, key);
      if (sentence.trim() === "") found.push(`${lang} ${key}: missing`);
      const names = [...new Set(placeholders(sentence))];
      used.set(lang, names);
      for (const name of names) if (!values.includes(name)) found.push(`${lang} ${key}: {${name}} is not among its values`);
    }
    if (new Set([...used.values()].map((names) => names.join(","))).size > 1) found.push(`${key}: the languages use different placeholders`);
  }
  const known = new Set(details.map((d) => `error.${d.code}.${d.detail}`));
  for (const area of all)
    for (const key of Object.keys(area.en))
      if (/^error\.\w+\.\w+$/.test(key) && !known.has(key)) found.push(`${key}: no such detail`);
  return found;
}

describe("the sentences of errors with values", () => {
  it("are complete: each detail worded in every language with only the values it carries", () => {
    expect(ERROR_DETAILS.length).toBeGreaterThan(10);
    expect(ERROR_DETAILS).toContainEqual({ code: "not_found", detail: "case", values: ["case"] });
    expect(problems(ERROR_DETAILS)).toEqual([]);
  });

  it("the check notices a placeholder the detail does not carry, a gap and an extra sentence", () => {
    const errors = areas().errors;
    const saved = { ...errors.tr };
    try {
      errors.tr["error.not_found.case"] = "#{id} numaralı vaka yok.";
      errors.es["error.not_found.partner"] = " ";
      expect(problems(ERROR_DETAILS)).toEqual([
        "tr error.not_found.case: {id} is not among its values",
        "error.not_found.case: the languages use different placeholders",
        "es error.not_found.partner: missing",
        "error.not_found.partner: the languages use different placeholders",
      ]);
      expect(problems(ERROR_DETAILS.filter((d) => d.detail !== "user"))).toContain("error.not_found.user: no such detail");
    } finally {
      errors.tr["error.not_found.case"] = saved["error.not_found.case"];
      errors.es["error.not_found.partner"] = "No existe el socio número {partner}.";
    }
  });
});
