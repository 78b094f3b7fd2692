// Dates, amounts, counts and plurals in the chosen language, as Intl prints them (the spaces
// before a currency sign are no-break spaces), and the choice remembered in localStorage.
import { afterEach, describe, expect, it } from "vitest";
import { codeName, formatAmount, formatDate, formatDateTime, formatMoney, locale, setLocale, t, tn, tParts } from "./index";

afterEach(() => setLocale("en"));

const NBSP = "\u00a0";

describe("locale formatting", () => {
  it("formats amounts with the currency as each language writes them", () => {
    expect(formatAmount("48200.00", "EUR")).toBe("€48,200.00");
    setLocale("tr");
    expect(formatAmount("48200.00", "EUR")).toBe("€48.200,00");
    expect(formatAmount("48200.00", "TRY")).toBe("₺48.200,00");
    setLocale("es");
    expect(formatAmount("48200.00", "EUR")).toBe(`48.200,00${NBSP}€`);
  });

  it("reads the amounts the Rust side sends and leaves anything else as it came", () => {
    expect(formatMoney("1250.00 EUR")).toBe("€1,250.00");
    expect(formatMoney("EUR 1250.00")).toBe("€1,250.00");
    expect(formatMoney("1250 JPY")).toBe("JP¥1,250");
    setLocale("es");
    expect(formatMoney("12400.50 EUR")).toBe(`12.400,50${NBSP}€`);
    for (const odd of ["", "12,400.00 EUR", "EUR 1 EUR", "1250.00", "lots"]) expect(formatMoney(odd)).toBe(odd);
  });

  it("formats dates and times with the language's month names", () => {
    const at = "2026-03-14T12:30:00Z";
    expect(formatDate("2026-03-14")).toBe("14 Mar 2026");
    expect(formatDateTime(at)).toMatch(/^14 Mar 2026, \d\d:30$/);
    setLocale("tr");
    expect(formatDate("2026-03-14")).toBe("14 Mar 2026");
    expect(formatDate("2026-01-14")).toBe("14 Oca 2026");
    expect(formatDateTime(at)).toMatch(/^14 Mar 2026 \d\d:30$/);
    setLocale("es");
    expect(formatDate("2026-01-14")).toBe("14 ene 2026");
    expect(formatDateTime(at)).toMatch(/^14 mar 2026, \d{1,2}:30$/);
    expect(formatDateTime("not a time")).toBe("not a time");
  });

  it("chooses plural forms by the language's rules and formats the count", () => {
    expect(tn("inbox.files", 1)).toBe("1 file");
    expect(tn("inbox.files", 1250)).toBe("1,250 files");
    setLocale("tr");
    expect(tn("inbox.files", 2)).toBe("2 dosya");
    setLocale("es");
    expect(tn("inbox.files", 1)).toBe("1 archivo");
    expect(tn("inbox.files", 1000000)).toBe("1.000.000 archivos");
  });

  it("fills placeholders, and shows an unknown key in brackets", () => {
    expect(t("login.title", { org: "Initech GmbH" })).toBe("Sign in to Initech GmbH");
    setLocale("tr");
    expect(t("login.title", { org: "Initech GmbH" })).toBe("Oturum açın: Initech GmbH");
    expect(t("no.such.key")).toBe("[no.such.key]");
  });

  it("puts nodes in place of placeholders", () => {
    const payee = { node: "payee" };
    const parts = tParts("callback.check", { payee, last4: { node: "last4" }, amount: { node: "amount" } });
    expect(parts).toEqual(["Check: payee ", payee, ", account ending ", { node: "last4" }, ", amount ", { node: "amount" }, "."]);
  });

  it("names codes from the Rust side, and shows an unknown one as itself", () => {
    expect(codeName("status", "callback_confirmed")).toBe("callback confirmed");
    setLocale("es");
    expect(codeName("status", "callback_confirmed")).toBe("confirmado por llamada");
    expect(codeName("status", "on_ice")).toBe("on ice");
  });

  it("remembers the choice and marks the page's language", () => {
    setLocale("tr");
    expect(locale()).toBe("tr");
    expect(localStorage.getItem("countersign.locale")).toBe("tr");
    expect(document.documentElement.lang).toBe("tr");
  });
});
