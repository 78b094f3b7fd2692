import { afterEach, describe, expect, it } from "vitest";
import type { CaseSummary } from "../api";
import { setLocale } from "../i18n";
import { age, isEmailPath, search } from "./inbox";
import type { CaseStatus } from "../codes";

afterEach(() => setLocale("en"));

const row = (id: number, partner: string, status: CaseStatus = "hold"): CaseSummary => ({
  id,
  status,
  verdict: "hold",
  partner,
  payee: partner,
  amount: "12400.00 EUR",
  account: "DE89 3704 0044 0532 0130 00",
  account_fraudulent: false,
  file_name: `f${id}.json`,
  received_at: "2026-01-01T00:00:00Z",
  received_by: "carol",
});

describe("inbox", () => {
  it("recognises the email that carried the files by its .eml extension", () => {
    expect(isEmailPath("/home/carol/Downloads/Updated bank details.eml")).toBe(true);
    expect(isEmailPath("C:\\mail\\MESSAGE.EML ")).toBe(true);
    expect(isEmailPath("/in/invoice.json")).toBe(false);
    expect(isEmailPath("/in/eml")).toBe(false);
  });

  it("searches every word across partner, amount, status and id", () => {
    const cases = [row(1, "Globex Corporation"), row(2, "Acme Tekstil", "released")];
    expect(search(cases, "globex").map((c) => c.id)).toEqual([1]);
    expect(search(cases, "acme released").map((c) => c.id)).toEqual([2]);
    expect(search(cases, "  ").length).toBe(2);
    expect(search(cases, "umbrella")).toEqual([]);
  });

  it("finds a case by its number with or without #, by the account without spaces and by the amount as shown", () => {
    const cases = [row(15, "Globex"), row(155, "Acme"), row(1550, "Umbrella")];
    expect(search(cases, "#155").map((c) => c.id)).toEqual([155]);
    expect(search(cases, "155").map((c) => c.id)).toEqual([155, 1550]);
    expect(search(cases, "#155 umbrella")).toEqual([]);
    expect(search(cases, "DE89370400440532013000").length).toBe(3);
    expect(search(cases, "de89 3704").length).toBe(3);
    expect(search(cases, "€12,400.00").length).toBe(3);
    expect(search(cases, "12400").length).toBe(3);
    setLocale("es");
    expect(search(cases, "12.400,00").length).toBe(3);
  });

  it("says how old a case is", () => {
    const now = new Date("2026-01-03T01:00:00Z");
    expect(age("2026-01-03T00:59:30Z", now)).toBe("just now");
    expect(age("2026-01-03T00:30:00Z", now)).toBe("30 min");
    expect(age("2026-01-02T22:00:00Z", now)).toBe("3 h");
    expect(age("2026-01-01T00:00:00Z", now)).toBe("2 d");
  });

  it("says how old a case is in the chosen language, and finds cases by the status's name in it", () => {
    const now = new Date("2026-01-03T01:00:00Z");
    setLocale("tr");
    expect(age("2026-01-03T00:59:30Z", now)).toBe("az önce");
    expect(age("2026-01-02T22:00:00Z", now)).toBe("3 sa");
    expect(search([row(1, "Globex"), row(2, "Acme", "released")], "beklemede").map((c) => c.id)).toEqual([1]);
    setLocale("es");
    expect(age("2026-01-01T00:00:00Z", now)).toBe("2 d");
    expect(search([row(1, "Globex"), row(2, "Acme", "released")], "liberado").map((c) => c.id)).toEqual([2]);
  });

  it("searches thousands of cases", () => {
    const many = Array.from({ length: 20000 }, (_, i) => row(i, i % 2 ? "Globex" : "Acme"));
    expect(search(many, "globex").length).toBe(10000);
    expect(search(many, "#19998 acme").map((c) => c.id)).toEqual([19998]);
  });
});
