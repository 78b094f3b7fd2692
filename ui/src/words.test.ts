// The codes the Rust side sends, in words: findings with their values formatted for the locale,
// errors by their code, and events of the log with the details people read (never raw JSON).
import { afterEach, describe, expect, it } from "vitest";
import { setLocale } from "./i18n";
import { errorBox } from "./dom";
import { errorText, eventDetails, eventText, findingText, findingValues } from "./words";

afterEach(() => setLocale("en"));

describe("words for codes", () => {
  it("word a finding by its code and format the values it names", () => {
    expect(findingText("bank_details_changed")).toBe("The bank account differs from the one on file.");
    expect(findingValues({ from: "DE89 3704", amount: "48200.00 EUR", at: "2026-11-02" })).toEqual([
      ["on file", "DE89 3704"],
      ["amount", "€48,200.00"],
      ["date", "2 Nov 2026"],
    ]);
    setLocale("tr");
    expect(findingText("bank_details_changed")).toBe("Banka hesabı kayıtlı olandan farklı.");
    expect(findingValues({ amount: "48200.00 EUR" })[0][0]).toBe("tutar");
  });

  it("word an event and its details, leaving hashes and unknown keys out", () => {
    expect(eventText("case.callback")).toBe("recorded a callback");
    const details = JSON.stringify({ verdict: "hold", codes: ["bank_details_changed"], file_sha256: "ab".repeat(32), outcome: "confirmed", dialed: "+49301234567" });
    expect(eventDetails(details)).toEqual([
      ["verdict", "hold"],
      ["findings", "The bank account differs from the one on file."],
      ["outcome", "confirmed"],
      ["number dialled", "+49301234567"],
    ]);
    expect(eventDetails("not json")).toEqual([]);
    setLocale("es");
    expect(eventText("case.approve")).toBe("aprobó el caso");
    const refusal = JSON.stringify({ attempted: "case.approve", refused: "not_permitted", reason: "Only an approver can approve a case." });
    expect(eventDetails(refusal)).toEqual([
      ["intentado", "aprobó el caso"],
      ["rechazado como", errorText("not_permitted")],
    ]);
  });

  it("word an error by its code: the core's English particulars follow in English, and sit under Details otherwise", () => {
    const box = errorBox({ code: "not_permitted", message: "Only an approver can approve a case." }, "x");
    expect(box.dataset.code).toBe("not_permitted");
    expect(box.textContent).toBe(`${errorText("not_permitted")} Only an approver can approve a case.`);
    setLocale("tr");
    const tr = errorBox({ code: "not_permitted", message: "Only an approver can approve a case." }, "x");
    expect(tr.querySelector(".error-text")?.textContent).toMatch(/^İzin verilmedi/);
    expect(tr.querySelector("details summary")?.textContent).toBe("Ayrıntılar");
    expect(tr.textContent).not.toContain("not_permitted");
  });
});
