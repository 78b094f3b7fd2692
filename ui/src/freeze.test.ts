// Partners' freezes (issue 20) against a mocked Rust side: the banner of every screen names each
// frozen partner from `frozen_partners` and goes away once none is frozen; a frozen partner's page
// says so; a held case says why, in each language.
import { afterEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { FrozenPartnerView } from "./bindings/FrozenPartnerView";
import type { FreezeEntry } from "./bindings/FreezeEntry";
import type { PartnerView } from "./api";
import { showStatus } from "./app";
import { setLocale } from "./i18n";
import { renderCase } from "./screens/case";
import { freezesSection } from "./screens/partner";
import { caseViewOf, shellOf, summaryOf, userOf } from "./testing";

afterEach(() => {
  clearMocks();
  setLocale("en");
  vi.useRealTimers();
});

const freeze: FreezeEntry = {
  id: "f-1",
  scope: "all_but",
  except: "DE89 3704 0044 0532 0130 00",
  effective_from: "2026-12-04T08:00:00Z",
  reason: "Our mail server was compromised",
  signed_by: "signing",
  received_by: "clara",
  received_at: "2026-12-04T09:00:00Z",
  lifted_how: null,
  lifted_by: null,
  lifted_at: null,
};

const globex: FrozenPartnerView = { id: 3, name: "Globex Corporation", freezes: [freeze] };

describe("the freeze banner", () => {
  it("names each frozen partner on every screen and goes away once the freeze is lifted", async () => {
    let frozen = [globex];
    mockIPC((cmd) => {
      if (cmd === "workspace_mode") return { setup: false, checkers: ["alice", "dave"] };
      if (cmd === "frozen_partners") return frozen;
      throw new Error(cmd);
    });
    const banner = document.createElement("div");
    const freezeBanner = document.createElement("div");
    await showStatus(banner, null, null, freezeBanner);
    expect(freezeBanner.hidden).toBe(false);
    expect(freezeBanner.dataset.partners).toBe("3");
    expect(freezeBanner.textContent).toContain("Frozen by the partner");
    expect(freezeBanner.textContent).toContain("Globex Corporation");
    expect(freezeBanner.textContent).toContain("but those to DE89 3704 0044 0532 0130 00");
    frozen = [];
    await showStatus(banner, null, null, freezeBanner);
    expect(freezeBanner.hidden).toBe(true);
    expect(freezeBanner.textContent).toBe("");
  });

  it("is worded in Turkish and Spanish", async () => {
    mockIPC((cmd) => {
      if (cmd === "workspace_mode") return { setup: false, checkers: ["alice", "dave"] };
      if (cmd === "frozen_partners") return [globex];
      throw new Error(cmd);
    });
    for (const [lang, words] of [
      ["tr", "İş ortağı tarafından donduruldu"],
      ["es", "Congelado por el socio"],
    ] as const) {
      setLocale(lang);
      const freezeBanner = document.createElement("div");
      await showStatus(document.createElement("div"), null, null, freezeBanner);
      expect(freezeBanner.textContent).toContain(words);
    }
  });
});

describe("a frozen partner's page and case", () => {
  it("says the partner is frozen, and how a lifted freeze was lifted", () => {
    const view = { frozen: true, freezes: [freeze, { ...freeze, id: "f-0", except: null, lifted_how: "callback", lifted_by: "erin", lifted_at: "2026-12-01T10:00:00Z" }] } as unknown as PartnerView;
    const section = freezesSection(view);
    expect(section.dataset.frozen).toBe("true");
    expect(section.querySelector("#partner-frozen")?.textContent).toContain("nothing to it is released");
    const [standing, lifted] = Array.from(section.querySelectorAll<HTMLElement>("li.freeze"));
    expect(standing.textContent).toContain("Our mail server was compromised");
    expect(standing.dataset.lifted).toBe("false");
    expect(lifted.textContent).toContain("Lifted (callback) by erin");
  });

  it("words the signing key's role and how a freeze was lifted in every language", () => {
    const view = {
      frozen: true,
      freezes: [
        freeze,
        { ...freeze, id: "f-0", signed_by: "recovery", lifted_how: "notice", lifted_by: "erin", lifted_at: "2026-12-01T10:00:00Z" },
        { ...freeze, id: "f-00", lifted_how: "callback", lifted_by: "erin", lifted_at: "2026-11-01T10:00:00Z" },
      ],
    } as unknown as PartnerView;
    for (const [lang, signing, recovery, byNotice, byCallback] of [
      ["en", "signed by its signing key", "signed by its recovery key", "Lifted (recovery-key notice)", "Lifted (callback)"],
      ["tr", "imza anahtarıyla imzalı", "kurtarma anahtarıyla imzalı", "(kurtarma anahtarıyla imzalı bildirim)", "(geri arama)"],
      ["es", "firmado con su clave de firma", "firmado con su clave de recuperación", "Levantado (aviso firmado con la clave de recuperación)", "Levantado (llamada de verificación)"],
    ] as const) {
      setLocale(lang);
      const [standing, lifted, called] = Array.from(freezesSection(view).querySelectorAll<HTMLElement>("li.freeze")).map((li) => li.textContent ?? "");
      expect(standing).toContain(signing);
      expect(lifted).toContain(recovery);
      expect(lifted).toContain(byNotice);
      expect(called).toContain(byCallback);
      if (lang !== "en") for (const code of ["signing", "recovery", "notice", "callback"]) expect([standing, lifted, called].join(" ")).not.toMatch(new RegExp(`\\b${code}\\b`));
    }
  });

  it("shows the freeze's finding once on a case page, and in the findings once the freeze is lifted", async () => {
    const finding = { code: "partner_frozen" as const, severity: "warning" as const, message: "The partner froze its payments.", values: { notice: "f-1", since: "2026-12-04T08:00:00Z", reason: "Our mail server was compromised" } };
    const changed = { code: "bank_details_changed" as const, severity: "warning" as const, message: "The account differs from the one on file.", values: {} };
    let frozen: typeof finding | null = finding;
    mockIPC((cmd) => {
      if (cmd === "case_detail") return caseViewOf(summaryOf(7, { status: "hold" }), { findings: [finding, changed], partner_frozen: frozen, next_steps: ["reject"] });
      throw new Error(cmd);
    });
    const shell = shellOf(userOf("erin", "approver"));
    await renderCase(shell, 7);
    expect(shell.content.querySelectorAll("[data-code=partner_frozen]")).toHaveLength(1);
    expect(shell.content.querySelector("#case-frozen [data-code=partner_frozen]")).not.toBeNull();
    expect(shell.content.querySelector("#findings [data-code=bank_details_changed]")).not.toBeNull();
    frozen = null;
    await renderCase(shell, 7);
    expect(shell.content.querySelector("#case-frozen")).toBeNull();
    expect(shell.content.querySelectorAll("#findings [data-code=partner_frozen]")).toHaveLength(1);
  });

  it("shows why a case is held, in words in every language", async () => {
    const finding = { code: "partner_frozen" as const, severity: "warning" as const, message: "The partner froze its payments.", values: { notice: "f-1", since: "2026-12-04T08:00:00Z", reason: "Our mail server was compromised" } };
    mockIPC((cmd) => {
      if (cmd === "case_detail") return caseViewOf(summaryOf(7, { status: "approved" }), { partner_frozen: finding, next_steps: ["reject"] });
      throw new Error(cmd);
    });
    for (const [lang, words] of [
      ["en", "nothing to it is released until the freeze is lifted"],
      ["tr", "dondurma kaldırılana kadar"],
      ["es", "hasta que se levante la congelación"],
    ] as const) {
      setLocale(lang);
      const shell = shellOf(userOf("erin", "approver"));
      await renderCase(shell, 7);
      const section = shell.content.querySelector<HTMLElement>("#case-frozen");
      expect(section?.textContent).toContain(words);
      expect(section?.querySelector("[data-code=partner_frozen]")).not.toBeNull();
    }
  });
});
