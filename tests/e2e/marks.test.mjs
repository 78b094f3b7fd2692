// Marked accounts in the real app (issue 15), on the demo workspace run.sh builds: carol (clerk)
// receives an instruction signed with Acme's TEST-ONLY key asking to pay a new account (held),
// and records on the callback that Acme denies it, so the account is marked suspected at once;
// dave (approver, not the one who recorded the callback) confirms it as fraudulent and then
// proposes clearing the mark, which waits for a second person until alice approves it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { By, until } from "selenium-webdriver";
import { OUT_DIR, ROOT, mainScreen, openApp, screenshot, session } from "./app.mjs";

const DEMO = process.env.E2E_DEMO_DIR;
const CLI = process.env.COUNTERSIGN_CLI;
const WORK = path.join(OUT_DIR, "home/marks");
/** Acme's instruction to pay a new account, signed here with its TEST-ONLY key. */
const HELD_FILE = path.join(WORK, "acme-new-account.json");
const MULE = "iban:TR290006400000112345678901";

describe("marked accounts: suspected on a denied callback, confirmed and cleared by second persons", { timeout: 300_000 }, () => {
  let driver;
  const { byId, retry, soon, textOf, click, type, screen, signIn, switchUser, approveChange } = session(() => driver);

  const mark = () => retry(async () => driver.findElement(By.css(`#marks-table tr[data-account-key="${MULE}"]`)));
  const openMarks = async () => {
    await click("nav-partners");
    await screen("partners");
    await byId("marks-title");
  };

  before(async () => {
    assert.ok(DEMO && CLI, "run.sh sets E2E_DEMO_DIR and COUNTERSIGN_CLI");
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    const details = path.join(WORK, "details.json");
    writeFileSync(
      details,
      JSON.stringify({ beneficiary_name: "Acme Tekstil A.S.", iban: "TR29 0006 4000 0011 2345 6789 01", bic: "ISBKTRISXXX", currency: "EUR", amount: "9100.00", reference: "INV-A-0107 new account" }),
    );
    execFileSync(CLI, ["sign", "--key", path.join(ROOT, "keys/acme.key"), "--to", path.join(DEMO, "org.card"), "--details", details, "--out", HELD_FILE], {
      env: { ...process.env, COUNTERSIGN_KEY_PASSPHRASE: "TEST-ONLY acme demo" },
    });
    driver = await openApp();
  });

  after(async () => {
    await driver?.quit();
  });

  it("marks the account suspected when the partner denies the instruction on the callback", async () => {
    await signIn("carol");
    await screen("queue");
    await click("nav-inbox");
    await screen("inbox");
    await type("receive-paths", HELD_FILE);
    await click("receive-submit");
    const result = await driver.wait(until.elementLocated(By.css("#receive-results li[data-verdict]")), 60_000);
    assert.equal(await result.getAttribute("data-verdict"), "hold");
    await (await result.findElement(By.css("button[data-case-id]"))).click();
    await screen("case");
    assert.equal(await textOf("case-status"), "hold");
    await click("start-callback");
    const challenge = await textOf("callback-challenge");
    // The partner's answer needs its own key (format v2: docs/format.md §3.7).
    const response = JSON.parse(
      execFileSync(CLI, ["respond", "--json", "--key", path.join(ROOT, "keys/acme.key"), "--challenge", challenge, HELD_FILE], {
        encoding: "utf8",
        env: { ...process.env, COUNTERSIGN_KEY_PASSPHRASE: "TEST-ONLY acme demo" },
      }),
    ).response;
    await click("callback-dialed-0");
    await type("callback-reached", "Ayşe Acme");
    await type("callback-response", response);
    await click("callback-outcome-denied");
    await click("callback-submit");
    await driver.wait(until.elementLocated(By.id("case-notice")), 20_000);
    await driver.wait(soon(async () => (await textOf("case-status")) === "quarantined"), 20_000, "quarantined");
    assert.match(await textOf("case-notice"), /marked suspected/);

    await openMarks();
    const row = await mark();
    assert.equal(await row.getAttribute("data-status"), "suspected");
    assert.match(await row.getText(), /TR29 0006 4000 0011 2345 6789 01/);
    assert.match(await row.getText(), /by carol/);
    assert.equal((await driver.findElements(By.css("#marks-table tbody button"))).length, 0, "a clerk is offered no buttons");
  });

  it("lets dave confirm it as fraudulent, then propose clearing it, which alice approves", async () => {
    await switchUser("dave");
    await openMarks();
    const index = await retry(async () => {
      const rows = await driver.findElements(By.css("#marks-table tbody tr"));
      for (let i = 0; i < rows.length; i++) if ((await rows[i].getAttribute("data-account-key")) === MULE) return i;
      return -1;
    });
    assert.ok(index >= 0);
    await type(`mark-reason-${index}`, "Acme's CFO confirmed the instruction was not theirs");
    await click(`mark-confirm-${index}`);
    await driver.wait(soon(async () => (await textOf("marks-notice")).endsWith("is confirmed fraudulent.")), 20_000, "confirmed");
    assert.equal(await (await mark()).getAttribute("data-status"), "fraudulent");
    assert.match(await (await mark()).getText(), /confirmed by dave/);
    await screenshot(driver, "marks-1-confirmed");
    await mainScreen(driver, "marks");

    // Clearing a mark could send money to the account again: it waits for a second person.
    await type(`mark-reason-${index}`, "a mix-up: the account is Acme's new one after all");
    await click(`mark-clear-${index}`);
    const pending = await retry(async () => byId("marks-notice"));
    await driver.wait(soon(async () => (await textOf("marks-notice")).startsWith("Pending change")), 20_000, "pending");
    const change = await retry(async () => (await byId("marks-notice")).getAttribute("data-change-id"));
    assert.ok(pending && /^\d+$/.test(change), `change ${change}`);
    assert.equal(await (await mark()).getAttribute("data-status"), "fraudulent", "still marked until approved");

    await switchUser("alice");
    await approveChange(change);
    await openMarks();
    await driver.wait(soon(async () => (await driver.findElements(By.css(`#marks-table tr[data-account-key="${MULE}"]`))).length === 0), 20_000, "cleared");
    await screenshot(driver, "marks-2-cleared");
  });
});
