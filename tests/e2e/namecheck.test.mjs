// Bank name checks in the real app (issue 20), on a demo workspace of its own (built afresh, as
// run.sh builds the shared one, so the cases are as the demo left them whatever ran before): dave
// (approver) attaches the answer of the payee's bank to the held Globex case (a UK Confirmation
// of Payee close match, sent as sort code and account number: the bank's name is shown beside
// ours), then a Verification-of-Payee no match to Umbrella's accepted case, which goes back on
// hold; carol (clerk) sees the answers but no form to attach one.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { By } from "selenium-webdriver";
import { OUT_DIR, ROOT, mainScreen, openApp, screenshot, session } from "./app.mjs";

const CLI = process.env.COUNTERSIGN_CLI;
const DEMO = path.join(OUT_DIR, "home/namecheck");

describe("bank name checks: attached by an approver, shown under the case's evidence", { timeout: 300_000 }, () => {
  let driver;
  const { byId, retry, soon, textOf, click, type, screen, signIn, switchUser } = session(() => driver);

  const openCase = async (id) => {
    await click("nav-inbox");
    await screen("inbox");
    await retry(async () => (await driver.findElement(By.css(`#cases button[data-case-id="${id}"]`))).click());
    await screen("case");
    await driver.wait(soon(async () => (await textOf("case-title")).startsWith(`Case #${id}:`)), 20_000, `case ${id}`);
  };
  /** Chooses `value` in the select `id`, as a person picking it would (the change event included). */
  const choose = (id, value) =>
    retry(async () => {
      const select = await byId(id);
      await driver.executeScript("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'));", select, value);
    });
  const attach = async ({ scheme, account, answer, matchedName = "" }) => {
    await byId("name-check-form");
    await choose("nc-scheme", scheme);
    await type("nc-request-id", `${scheme.toUpperCase()}-e2e-1`);
    await type("nc-requested-at", "2025-11-03T09:30:00Z");
    await type("nc-answered-at", "2025-11-03T09:30:02Z");
    await type("nc-account-sent", account);
    await choose("nc-answer", answer);
    if (matchedName) await type("nc-matched-name", matchedName);
    await choose("nc-obtained", "api");
    await click("nc-submit");
  };

  before(async () => {
    assert.ok(CLI, "run.sh sets COUNTERSIGN_CLI");
    rmSync(DEMO, { recursive: true, force: true });
    execFileSync(path.join(ROOT, "scripts/demo-workspace.sh"), [DEMO, CLI], { stdio: "ignore" });
    driver = await openApp({ args: ["--data-dir", path.join(DEMO, "workspace")] });
  });

  after(async () => {
    await driver?.quit();
  });

  it("shows a close match with the bank's name beside ours", async () => {
    await signIn("dave");
    await screen("queue");
    await openCase(2);
    assert.equal(await textOf("no-name-checks"), "No answer of the payee's bank to a name check is attached.");
    await attach({ scheme: "cop", account: "12-34-56 98765432", answer: "MBAM", matchedName: "Globex Trading Ltd" });
    await driver.wait(soon(async () => (await textOf("case-notice")) === "The bank's answer is attached to case #2."), 20_000, "attached");
    assert.equal(await textOf("name-check-bank"), "Globex Trading Ltd");
    assert.equal(await textOf("name-check-ours"), "Globex Corporation");
    assert.match(await textOf("name-checks"), /Confirmation of Payee \(UK\) · MBAM/);
    const finding = await retry(async () => driver.findElement(By.css('#findings li[data-code="vop_close_match"]')));
    assert.equal(await finding.getAttribute("data-severity"), "warning");
    assert.equal(await textOf("case-status"), "hold");
    await screenshot(driver, "namecheck-1-close-match");
    await mainScreen(driver, "name-check");
  });

  it("holds an accepted case on a no match, and offers no form to a clerk", async () => {
    await openCase(1);
    assert.equal(await textOf("case-status"), "accepted");
    await attach({ scheme: "vop", account: "ES91 2100 0418 4502 0005 1332", answer: "NMTC" });
    await driver.wait(soon(async () => (await textOf("case-status")) === "hold"), 20_000, "held");
    assert.equal(await textOf("case-notice"), "The bank's answer is attached: no match, so case #1 is on hold again.");
    await retry(async () => driver.findElement(By.css('#findings li[data-code="vop_no_match"][data-severity="critical"]')));
    await screenshot(driver, "namecheck-2-no-match");

    await switchUser("carol");
    await openCase(1);
    await retry(async () => driver.findElement(By.css('#name-checks li[data-answer="NMTC"]')));
    assert.equal((await driver.findElements(By.id("name-check-form"))).length, 0, "a clerk is offered no form");
  });
});
