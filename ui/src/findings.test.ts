// Findings in words with their values, in each language: the email's findings name their
// addresses, domains and authentication result as the other findings name theirs (issue 19), and
// the inbox's receive results list them the same way as the case page.
import { afterEach, describe, expect, it } from "vitest";
import { setLocale, type Locale } from "./i18n";
import { findingList } from "./findings";
import type { FindingView } from "./api";

afterEach(() => setLocale("en"));

const lookalike: FindingView = {
  code: "email_lookalike_domain",
  severity: "warning",
  message: "The Reply-To address hank@globex-payments.com uses globex-payments.com, which imitates globex.com (Globex Corporation's registered domain): an added word",
  values: { header: "Reply-To", address: "hank@globex-payments.com", domain: "globex-payments.com", imitates: "globex.com" },
};
const auth: FindingView = {
  code: "email_auth_failed",
  severity: "warning",
  message: "Authentication-Results: DMARC did not pass (dmarc=fail for globex.com), so the message is not proven to come from globex.com",
  values: { methods: "DMARC", result: "dmarc=fail for globex.com", expected: "globex.com" },
};

/** The sentence, the labelled values and the English detail of each item, as shown. */
function shown(list: HTMLElement): { sentence: string; facts: string[]; english: string }[] {
  return [...list.querySelectorAll<HTMLElement>(":scope > li")].map((li) => ({
    sentence: li.querySelector(".message")!.textContent!,
    facts: [...li.querySelectorAll("dt")].map((dt) => `${dt.textContent}: ${dt.nextElementSibling?.textContent}`),
    english: li.querySelector(".finding-detail span, p.finding-detail")!.textContent!,
  }));
}

describe("findings in words", () => {
  const expected: Record<Locale, { sentence: string; facts: string[] }[]> = {
    en: [
      {
        sentence: "The email uses a domain that imitates a known one.",
        facts: ["address: hank@globex-payments.com", "domain: globex-payments.com", "header: Reply-To", "imitates: globex.com"],
      },
      {
        sentence: "The email's authentication (SPF, DKIM, DMARC) did not prove where it came from.",
        facts: ["expected domain: globex.com", "methods: DMARC", "authentication result: dmarc=fail for globex.com"],
      },
    ],
    tr: [
      {
        sentence: "E-posta, bilinen bir alan adını taklit eden bir alan adı kullanıyor.",
        facts: ["adres: hank@globex-payments.com", "alan adı: globex-payments.com", "başlık: Reply-To", "taklit ettiği: globex.com"],
      },
      {
        sentence: "E-postanın kimlik doğrulaması (SPF, DKIM, DMARC) nereden geldiğini kanıtlamadı.",
        facts: ["beklenen alan adı: globex.com", "yöntemler: DMARC", "kimlik doğrulama sonucu: dmarc=fail for globex.com"],
      },
    ],
    es: [
      {
        sentence: "El correo usa un dominio que imita a uno conocido.",
        facts: ["dirección: hank@globex-payments.com", "dominio: globex-payments.com", "cabecera: Reply-To", "imita a: globex.com"],
      },
      {
        sentence: "La autenticación del correo (SPF, DKIM, DMARC) no demostró de dónde venía.",
        facts: ["dominio esperado: globex.com", "métodos: DMARC", "resultado de la autenticación: dmarc=fail for globex.com"],
      },
    ],
  };

  for (const lang of ["en", "tr", "es"] as const) {
    it(`word the email's findings with their values in ${lang}`, () => {
      setLocale(lang);
      const list = findingList([lookalike, auth], { id: "email-findings" });
      const items = shown(list);
      expect(items.map(({ sentence, facts }) => ({ sentence, facts: [...facts].sort() }))).toEqual(
        expected[lang].map(({ sentence, facts }) => ({ sentence, facts: [...facts].sort() })),
      );
      expect(items[0].english).toBe(lookalike.message);
    });
  }

  it("mark the email's findings where a list mixes them with the file's", () => {
    setLocale("tr");
    const list = findingList([lookalike], { class: "received-findings" }, true);
    expect(list.querySelector("li")!.textContent).toContain("E-posta:");
    expect(findingList([lookalike], {}).querySelector("li")!.textContent).not.toContain("E-posta:");
  });
});
