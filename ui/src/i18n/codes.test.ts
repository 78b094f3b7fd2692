// Every code the Rust side can send has words in every language (issue 19): the finding codes, the
// payment-file screening's reasons, every error code of a command and every action of the log,
// as generated from Rust into bindings/coreCodes.ts (`UPDATE_BINDINGS=1 cargo test -p
// countersign-app --test bindings`). A code added in Rust fails here until each catalogue words it.
import { describe, expect, it } from "vitest";
import { ERROR_CODES, EVENT_ACTIONS, FINDING_CODES, SCREEN_REASON_CODES } from "../bindings/coreCodes";
import { REASON_CODES, SCREEN_REASON_CODES as SCREEN_REASONS_TYPED } from "../codes";
import { LOCALES, areas, type AreaCatalogue } from "./index";
import { IPC_ERROR } from "../api";
import { NUMBER_SOURCE_CODES, WITHHELD_CODES } from "../provenance";

/** The keys `prefix.<code>` missing (or empty) in some language of any area. */
function unworded(prefix: string, codes: readonly string[]): string[] {
  const all: AreaCatalogue[] = Object.values(areas());
  const gaps: string[] = [];
  for (const code of codes) {
    for (const { code: lang } of LOCALES) {
      const key = `${prefix}.${code}`;
      if (!all.some((area) => (area[lang][key] ?? "").trim() !== "")) gaps.push(`${lang} ${key}`);
    }
  }
  return gaps;
}

describe("the codes from Rust", () => {
  it("are generated, not empty, and the same as the UI's typed lists", () => {
    expect(FINDING_CODES.length).toBeGreaterThan(20);
    expect(ERROR_CODES).toContain("not_permitted");
    expect(EVENT_ACTIONS).toContain("case.callback");
    expect([...FINDING_CODES].sort()).toEqual([...REASON_CODES].sort());
    expect([...SCREEN_REASON_CODES].sort()).toEqual([...SCREEN_REASONS_TYPED].sort());
  });

  it("have words in every language: findings, screening reasons, errors and events", () => {
    expect(unworded("finding", FINDING_CODES)).toEqual([]);
    expect(unworded("screenReason", SCREEN_REASON_CODES)).toEqual([]);
    expect(unworded("error", [...ERROR_CODES, IPC_ERROR])).toEqual([]);
    expect(unworded("event", EVENT_ACTIONS)).toEqual([]);
  });

  // Issue 20: where a number on file came from, and why one is not offered for a callback.
  it("have words in every language: the sources of numbers and the reasons one is withheld", () => {
    expect(NUMBER_SOURCE_CODES).toEqual(["onboarding", "partner_card", "change"]);
    expect(unworded("numberSource", NUMBER_SOURCE_CODES)).toEqual([]);
    expect(unworded("withheld", WITHHELD_CODES)).toEqual([]);
  });

  it("the check notices a code without words", () => {
    expect(unworded("error", ["no_such_code"])).toEqual(["en error.no_such_code", "tr error.no_such_code", "es error.no_such_code"]);
    const codes = areas().codes;
    const saved = codes.es["event.case.approve"];
    try {
      codes.es["event.case.approve"] = " ";
      expect(unworded("event", EVENT_ACTIONS)).toEqual(["es event.case.approve"]);
    } finally {
      codes.es["event.case.approve"] = saved;
    }
  });
});
