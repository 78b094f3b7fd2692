// The case page's bank name checks (issue 20): each answer under the evidence in the user's
// language (scheme, answer in words, the bank's name beside ours for a close match, how it was
// obtained with the file's SHA-256, who and when); the "Attach a name check" form only for the
// users the core lets attach one (approvers), sending what was typed and the chosen file's path,
// and a refusal shown beside it.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { CaseView } from "../api";
import type { NameCheckEntry } from "../bindings/NameCheckEntry";
import { setLocale } from "../i18n";
import { caseViewOf, shellOf, summaryOf, userOf } from "../testing";
import { renderCase } from "./case";

afterEach(() => {
  clearMocks();
  setLocale("en");
});

const flush = async () => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
};

const SHA = "9f".repeat(32);

const closeMatch: NameCheckEntry = {
  scheme: "vop",
  request_id: "VOP-8c1f2a",
  requested_at: "2025-11-03T09:30:00Z",
  answered_at: "2025-11-03T09:30:02Z",
  name_sent: "Globex Corporation",
  account_sent: "DE89370400440532013000",
  answer: "CMTC",
  outcome: "close_match",
  matched_name: "Globex Corp Ltd",
  our_name: "Globex Corporation",
  obtained: "screenshot",
  evidence_sha256: SHA,
  attached_by: "dave",
  attached_at: "2025-11-03T10:00:00Z",
};

const noMatch: NameCheckEntry = { ...closeMatch, answer: "NMTC", outcome: "no_match", matched_name: null, obtained: "api", evidence_sha256: null };

function viewWith(extra: Partial<CaseView>): CaseView {
  return caseViewOf(summaryOf(7, { status: "accepted", verdict: "accepted" }), { next_steps: [], ...extra });
}

async function shown(view: CaseView, user = userOf("dave", "approver")) {
  mockIPC((cmd) => {
    if (cmd === "case_detail") return view;
    throw new Error(cmd);
  });
  const shell = shellOf(user);
  await renderCase(shell, 7);
  await flush();
  return shell.content;
}

describe("the bank name checks on the case page", () => {
  it("show a close match with the bank's name beside ours, how it was obtained and who attached it", async () => {
    const page = await shown(viewWith({ name_checks: [closeMatch, noMatch] }));
    const items = page.querySelectorAll("#name-checks li");
    expect(items.length).toBe(2);
    expect(items[0].textContent).toContain("Verification of Payee (EU) · CMTC");
    expect(items[0].textContent).toContain("a close match");
    expect(page.querySelector("#name-check-bank")?.textContent).toBe("Globex Corp Ltd");
    expect(page.querySelector("#name-check-ours")?.textContent).toBe("Globex Corporation");
    expect(items[0].textContent).toContain("Obtained from a screenshot");
    expect(items[0].textContent).toContain(SHA);
    expect(items[0].textContent).toContain("Attached by dave on");
    expect(items[1].getAttribute("data-outcome")).toBe("no_match");
    expect(items[1].textContent).toContain("no match: the account is not held in that name");
    expect(items[1].querySelector(".name-compare")).toBeNull();
  });

  it("say so when none is attached, in every language", async () => {
    for (const [lang, words] of [
      ["en", "No answer"],
      ["tr", "eklenmedi"],
      ["es", "No se ha adjuntado"],
    ] as const) {
      setLocale(lang);
      const page = await shown(viewWith({}));
      expect(page.querySelector("#no-name-checks")?.textContent).toContain(words);
    }
  });

  it("word a close match in Turkish and Spanish", async () => {
    setLocale("tr");
    let page = await shown(viewWith({ name_checks: [closeMatch] }));
    expect(page.querySelector("#name-checks")?.textContent).toContain("yakın eşleşme");
    setLocale("es");
    page = await shown(viewWith({ name_checks: [closeMatch] }));
    expect(page.querySelector("#name-checks")?.textContent).toContain("coincidencia aproximada");
  });
});

describe("the form to attach a name check", () => {
  it("is absent for the users the core does not let attach one", async () => {
    for (const user of [userOf("clara", "clerk"), userOf("alice", "admin"), userOf("frank", "auditor")]) {
      const page = await shown(viewWith({ may_attach_name_check: false }), user);
      expect(page.querySelector("#name-check-form")).toBeNull();
    }
  });

  it("sends what the approver typed with the chosen file, and says the case is held again", async () => {
    let sent: unknown = null;
    let current = viewWith({ may_attach_name_check: true });
    mockIPC((cmd, args) => {
      switch (cmd) {
        case "case_detail":
          return current;
        case "pick_evidence_file":
          return "/home/dave/vop-answer.png";
        case "attach_name_check":
          sent = args;
          current = viewWith({ summary: summaryOf(7, { status: "hold" }), name_checks: [noMatch], may_attach_name_check: true });
          return "hold";
        default:
          throw new Error(cmd);
      }
    });
    const shell = shellOf(userOf("dave", "approver"));
    await renderCase(shell, 7);
    await flush();
    const page = shell.content;
    const value = (id: string, v: string) => {
      const input = page.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`)!;
      input.value = v;
      input.dispatchEvent(new Event("change"));
    };
    // The answers offered are the scheme's, as generated from the core.
    const answers = () => [...page.querySelectorAll<HTMLOptionElement>("#nc-answer option")].map((o) => o.value);
    expect(answers()).toEqual(["MTCH", "CMTC", "NMTC", "NOAP"]);
    value("nc-scheme", "cop");
    expect(answers()).toContain("ANNM");
    value("nc-scheme", "vop");
    expect(page.querySelector<HTMLInputElement>("#nc-name-sent")?.value).toBe("Globex Corporation");
    value("nc-request-id", "VOP-8c1f2a");
    value("nc-requested-at", "2025-11-03T09:30:00Z");
    value("nc-answered-at", "2025-11-03T09:30:02Z");
    value("nc-account-sent", "DE89 3704 0044 0532 0130 00");
    value("nc-answer", "NMTC");
    value("nc-obtained", "screenshot");
    page.querySelector<HTMLButtonElement>("#nc-pick")!.click();
    await flush();
    expect(page.querySelector("#nc-file")?.textContent).toBe("/home/dave/vop-answer.png");
    page.querySelector<HTMLFormElement>("#name-check-form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(sent).toEqual({
      check: {
        case_id: 7,
        scheme: "vop",
        request_id: "VOP-8c1f2a",
        requested_at: "2025-11-03T09:30:00Z",
        answered_at: "2025-11-03T09:30:02Z",
        name_sent: "Globex Corporation",
        account_sent: "DE89 3704 0044 0532 0130 00",
        answer: "NMTC",
        matched_name: null,
        obtained: "screenshot",
        evidence_path: "/home/dave/vop-answer.png",
      },
    });
    expect(page.querySelector("#case-notice")?.textContent).toBe("The bank's answer is attached: no match, so case #7 is on hold again.");
    expect(page.querySelector("#name-checks li")?.getAttribute("data-answer")).toBe("NMTC");
  });

  it("shows the core's refusal beside the form and keeps what was typed", async () => {
    mockIPC((cmd) => {
      switch (cmd) {
        case "case_detail":
          return viewWith({ may_attach_name_check: true });
        case "attach_name_check":
          throw {
            code: "check_failed",
            message: "case 7: the account sent (DE02120300000000202051) is not the account this case pays",
            detail: "name_check_account",
            values: { case: "7", account: "DE02120300000000202051" },
          };
        default:
          throw new Error(cmd);
      }
    });
    const shell = shellOf(userOf("dave", "approver"));
    await renderCase(shell, 7);
    await flush();
    const page = shell.content;
    page.querySelector<HTMLInputElement>("#nc-account-sent")!.value = "DE02120300000000202051";
    page.querySelector<HTMLFormElement>("#name-check-form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await flush();
    expect(page.querySelector("#name-check-error")?.textContent).toContain("is not the account case #7 pays");
    expect(page.querySelector<HTMLInputElement>("#nc-account-sent")?.value).toBe("DE02120300000000202051");
  });
});
