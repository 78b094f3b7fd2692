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

  it("word an error that names particulars with its values, in each language", () => {
    const missing = { code: "not_found", message: "no case with id 7", detail: "case", values: { case: "7" } };
    expect(errorText(missing)).toBe("There is no case #7.");
    const english = errorBox(missing, "x");
    expect(english.querySelector(".error-text")?.textContent).toBe("There is no case #7.");
    expect(english.querySelector("details span")?.textContent).toBe("no case with id 7");
    const tooLong = { code: "invalid_input", detail: "too_long", values: { field: "reason", chars: "1200", max: "1000" } };
    const role = { code: "not_permitted", detail: "role", values: { user: "carol", role: "clerk", roles: "approver,admin" } };
    const notReleased = { code: "check_failed", detail: "not_released", values: { case: "4", status: "hold" } };
    expect(errorText(tooLong)).toBe("The reason is 1200 characters long; at most 1000 are kept: shorten it.");
    expect(errorText(role)).toBe("carol is clerk; only approver, admin may do this.");
    setLocale("tr");
    expect(errorText(missing)).toBe("#7 numaralı vaka yok.");
    expect(errorText(tooLong)).toBe("Gerekçe 1200 karakter uzunluğunda; en çok 1000 karakter saklanır: kısaltın.");
    expect(errorText(role)).toBe("carol kullanıcısının rolü muhasebe memuru; bunu yalnızca onaylayıcı, yönetici yapabilir.");
    expect(errorText(notReleased)).toBe("#4 numaralı vaka beklemede: yalnızca serbest bırakılmış ödemeler dışa aktarılır.");
    expect(errorText({ code: "check_failed", detail: "response_mismatch", values: { left: "2" } })).toMatch(/^Yanıt, aldığımız talimatla eşleşmiyor.* hakkı: 2\.$/);
    const box = errorBox(missing, "x");
    expect(box.querySelector(".error-text")?.textContent).toBe("#7 numaralı vaka yok.");
    expect(box.querySelector("details span")?.textContent).toBe("no case with id 7");
    setLocale("es");
    expect(errorText(missing)).toBe("No existe el caso #7.");
    expect(errorText(tooLong)).toBe("El motivo tiene 1200 caracteres; se guardan como máximo 1000: acórtelo.");
    expect(errorText(notReleased)).toMatch(/^El caso #4 está /);
    // Without a detail, or with one the catalogues do not know, the code's own sentence.
    expect(errorText({ code: "not_found", detail: null, values: {} })).toBe(errorText("not_found"));
    expect(errorText({ code: "not_found", detail: "no_such_detail", values: {} })).toBe(errorText("not_found"));
  });

  it("word the case flow's refusals and the app's file errors with their values (issue 19)", () => {
    const twice = { code: "check_failed", detail: "released_twice", values: { case: "5", status: "released" } };
    const second = { code: "not_permitted", detail: "approver_received_it", values: { case: "5", user: "clara" } };
    const waiting = {
      code: "cooling_off",
      detail: "cooling_off",
      values: { case: "5", since: "2026-12-04T09:00:00Z", hours: "24", hours_left: "23", minutes_left: "05", until: "2026-12-05T09:00:00Z", approvers: "2", asked: "0" },
    };
    const unreadable = { code: "file_unreadable", detail: "cannot_read", values: { file: "globex.cs1" } };
    expect(errorText(twice)).toBe("Case #5 was already released: a payment is never released twice.");
    expect(errorText(waiting)).toMatch(/23 h 05 min left/);
    setLocale("tr");
    expect(errorText(twice)).toBe("#5 numaralı vaka zaten serbest bırakıldı: bir ödeme asla iki kez serbest bırakılmaz.");
    expect(errorText(second)).toBe("#5 numaralı vakayı clara teslim aldı: onu ikinci bir kişi onaylamalı.");
    expect(errorText(waiting)).toMatch(/23 sa 05 dk kaldı/);
    expect(errorText(waiting)).not.toContain("2026-12-05T09:00:00Z");
    expect(errorText(unreadable)).toMatch(/^globex\.cs1 dosyası okunamıyor/);
    setLocale("es");
    expect(errorText({ code: "check_failed", detail: "cannot_release", values: { case: "5", status: "rejected" } })).toMatch(/^El caso #5 está rechazado/);
  });
});
