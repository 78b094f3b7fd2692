// The catalogues are complete: every key in every language, no empty or extra key, the same
// `{placeholders}` in each translation, and every key the sources ask for (`t("…")`,
// `tn("…", n)`, `tParts("…", …)` with a literal key) present in English. Names the UI gives to
// the codes the Rust side sends (statuses, verdicts, …) exist for every code it knows.
import { describe, expect, it } from "vitest";
import { LOCALES, areas, hasKey, missingKeys, placeholders } from "./index";
import {
  ACCOUNT_STATUS_CODES,
  CHANGE_KIND_CODES,
  CHANGE_STATUS_CODES,
  CHECK_STANDING_CODES,
  KEY_STATUS_CODES,
  LINE_VERDICT_CODES,
  MARK_STATUS_CODES,
  OUTCOME_CODES,
  REASON_CODES,
  ROLE_CODES,
  SCREEN_REASON_CODES,
  SEVERITY_CODES,
  STATUSES,
  VERDICT_CODES,
} from "../codes";

/** Every TypeScript source of the UI, by path, read as text at build time. */
const SOURCES = import.meta.glob("../**/*.ts", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

/**
 * The catalogue keys a source asks for with a literal key. `tn` asks for the `.one` and
 * `.other` forms. A call with a computed key is not seen here; `codeName` is checked below.
 */
function keysUsed(source: string): string[] {
  const keys: string[] = [];
  for (const m of source.matchAll(/\b(t|tn|tParts)\(\s*(["'`])([\w.-]+)\2/g)) {
    if (m[1] === "tn") keys.push(`${m[3]}.one`, `${m[3]}.other`);
    else keys.push(m[3]);
  }
  return keys;
}

describe("the message catalogues", () => {
  it("have every key in every language, none empty and none extra", () => {
    expect(missingKeys()).toEqual([]);
  });

  it("notice a missing, empty or extra key", () => {
    const core = areas().core;
    const [key] = Object.keys(core.en);
    const saved = core.tr[key];
    try {
      delete core.tr[key];
      core.es["no.such.key"] = "sobra";
      const gaps = missingKeys();
      expect(gaps).toContainEqual({ locale: "tr", key, problem: "missing" });
      expect(gaps).toContainEqual({ locale: "es", key: "no.such.key", problem: "extra" });
      core.tr[key] = "  ";
      expect(missingKeys()).toContainEqual({ locale: "tr", key, problem: "missing" });
    } finally {
      core.tr[key] = saved;
      delete core.es["no.such.key"];
    }
    expect(missingKeys()).toEqual([]);
  });

  it("name no command and no flag of the command line: the app is not a terminal", () => {
    const terminal = /\bcountersign [a-z]|(^|\s|\()--[a-z]/;
    const found: string[] = [];
    for (const [name, area] of Object.entries(areas())) {
      for (const { code } of LOCALES) {
        for (const [key, text] of Object.entries(area[code])) if (terminal.test(text)) found.push(`${name} ${code} ${key}: ${text}`);
      }
    }
    expect(found).toEqual([]);
    expect(terminal.test("run countersign respond --key K")).toBe(true);
  });

  it("keep every placeholder of the English string in each translation, and add none", () => {
    const drift: string[] = [];
    for (const [name, area] of Object.entries(areas())) {
      for (const [key, english] of Object.entries(area.en)) {
        for (const { code } of LOCALES) {
          const text = area[code][key];
          if (text !== undefined && placeholders(text).join() !== placeholders(english).join()) {
            drift.push(`${name} ${code} ${key}: {${placeholders(text)}} vs {${placeholders(english)}}`);
          }
        }
      }
    }
    expect(drift).toEqual([]);
  });

  it("spell Turkish and Spanish with their own letters", () => {
    const core = areas().core;
    expect(Object.values(core.tr).join(" ")).toMatch(/[çğıİöşü]/);
    expect(Object.values(core.es).join(" ")).toMatch(/[áéíñóú]/);
  });

  it("hold every key the sources ask for", () => {
    const used = new Map<string, string>();
    for (const [path, source] of Object.entries(SOURCES)) {
      if (path.endsWith(".test.ts")) continue;
      for (const key of keysUsed(source)) used.set(key, path);
    }
    // The scan sees the screens: a scan that found nothing would make the check below empty.
    expect(used.get("login.title")).toBe("../screens/login.ts");
    expect(used.has("inbox.files.other")).toBe(true);
    const absent = [...used].filter(([key]) => !hasKey(key)).map(([key, path]) => `${key} (${path})`);
    expect(absent).toEqual([]);
  });

  it("the source scan finds literal keys in every form of call", () => {
    const source = ["h1(t(\"a.b\"))", "tn('c.d', 2)", "tParts(`e.f`, {})", "format(x)", "set(\"g\")"].join("\n");
    expect(keysUsed(source)).toEqual(["a.b", "c.d.one", "c.d.other", "e.f"]);
    expect(keysUsed(source).filter((key) => !hasKey(key))).toHaveLength(4);
  });

  it("name every code the Rust side sends", () => {
    const codes: Record<string, string[]> = {
      status: [...STATUSES],
      verdict: [...VERDICT_CODES],
      severity: [...SEVERITY_CODES],
      role: [...ROLE_CODES],
      // A recorded attempt can also have gone wrong or be still open.
      outcome: [...OUTCOME_CODES, "wrong_response", "open"],
      account: [...ACCOUNT_STATUS_CODES],
      "partners.account": [...ACCOUNT_STATUS_CODES],
      "partners.key": [...KEY_STATUS_CODES],
      changeKind: [...CHANGE_KIND_CODES],
      changeStatus: [...CHANGE_STATUS_CODES],
      mark: [...MARK_STATUS_CODES],
      lineVerdict: [...LINE_VERDICT_CODES],
      screenReason: [...SCREEN_REASON_CODES],
      // The payment file (issue 18): the report's verdict sentence and count per verdict, and the
      // check's name and sentence per standing.
      "screening.verdict": [...LINE_VERDICT_CODES],
      "screening.counts": [...LINE_VERDICT_CODES],
      "screening.standingName": [...CHECK_STANDING_CODES],
      "screening.standing": [...CHECK_STANDING_CODES],
    };
    const unnamed = Object.entries(codes).flatMap(([group, list]) => list.map((code) => `${group}.${code}`).filter((key) => !hasKey(key)));
    expect(unnamed).toEqual([]);
  });

  it("explain account_suspected, the reason code of an account a denied callback marked", () => {
    expect(REASON_CODES).toContain("account_suspected");
    for (const { code } of LOCALES) expect(areas().changes[code]["reason.account_suspected"]).toBeTruthy();
  });
});
