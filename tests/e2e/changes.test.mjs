// Four eyes in the real app (issue 15), on the demo workspace run.sh builds, where alice, dave and
// erin can check changes: alice onboards a partner whose card the CLI makes here, and the pinning
// becomes a pending change. Alice cannot approve her own change (the button is disabled with the
// reason, and the core refuses it when clicked anyway); dave, signed in through "Switch user",
// sees it counted in the nav, reads its summary and the difference, approves it, and the
// partner's key is pinned.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { By } from "selenium-webdriver";
import { OUT_DIR, mainScreen, openApp, screenshot, session } from "./app.mjs";

const CLI = process.env.COUNTERSIGN_CLI;
const WORK = path.join(OUT_DIR, "home/changes");

describe("four eyes: a pending change refused for its maker and approved by a second person", { timeout: 300_000 }, () => {
  let driver;
  const { byId, retry, soon, textOf, click, type, screen, signIn, switchUser } = session(() => driver);
  let fingerprint;
  let change;

  const step = (name) =>
    driver.wait(soon(async () => (await (await driver.findElement(By.id("onboard"))).getAttribute("data-step")) === name), 20_000, `step ${name}`);
  const partnerRow = async (name) =>
    retry(async () => {
      for (const row of await driver.findElements(By.css("#partners-table tbody tr"))) {
        if ((await row.getText()).startsWith(name)) return row;
      }
      return null;
    });

  before(async () => {
    assert.ok(CLI, "run.sh sets COUNTERSIGN_CLI");
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    const made = execFileSync(
      CLI,
      ["--json", "keygen", "--name", "Initrode AG", "--country", "DE", "--domain", "initrode.example", "--out", path.join(WORK, "initrode")],
      { encoding: "utf8", env: { ...process.env, COUNTERSIGN_KEY_PASSPHRASE: "TEST-ONLY initrode demo" } },
    );
    fingerprint = JSON.parse(made).fingerprint;
    driver = await openApp();
  });

  after(async () => {
    await driver?.quit();
  });

  it("makes alice's onboarding a pending change: nothing pinned, no setup-mode banner", async () => {
    await signIn("alice");
    await screen("queue");
    // Alice, dave and erin can check changes: the workspace is past setup mode.
    assert.equal(await (await byId("setup-banner")).isDisplayed(), false);
    await click("nav-partners");
    await screen("partners");
    await click("partner-onboard");
    await step("card");
    await type("onboard-card-path", path.join(WORK, "initrode.card"));
    await click("onboard-read");
    await step("fingerprint");
    await click("onboard-next");
    await step("readback");
    await type("onboard-typed", fingerprint);
    await click("onboard-confirm");
    await step("details");
    await type("onboard-phones", "+49 89 5550100");
    await click("onboard-submit");
    await step("done");
    const pending = await byId("onboard-pending");
    change = await pending.getAttribute("data-change-id");
    assert.match(change, /^\d+$/);
    assert.match(await pending.getText(), new RegExp(`^Pending change ${change}: Onboard Initrode AG and pin its key ${fingerprint} — waits for another approver or admin\\.`));
    assert.equal((await driver.findElements(By.id("onboard-open"))).length, 0, "no partner to open yet");
    await screenshot(driver, "changes-1-pending");
    await click("onboard-list");
    await screen("partners");
    await byId("partners-table");
    assert.equal(await partnerRow("Initrode AG"), null, "not pinned before a second person approves");
  });

  it("refuses alice her own change: Approve disabled with the reason, and the core's refusal when clicked anyway", async () => {
    await click("nav-changes");
    await screen("changes");
    await byId(`change-open-${change}`);
    await click(`change-open-${change}`);
    await screen("change");
    const approve = await byId("change-approve");
    assert.equal(await approve.isEnabled(), false);
    assert.match(await textOf("change-own"), /You proposed this change, so you cannot approve it/);
    // Enabled by other means, the click still reaches the core, which refuses the maker.
    await driver.executeScript("document.getElementById('change-approve').disabled = false");
    await click("change-approve");
    const refusal = await retry(async () => {
      const box = await byId("change-error");
      return { code: await box.getAttribute("data-code"), text: await box.getText() };
    });
    assert.equal(refusal.code, "not_permitted");
    assert.match(refusal.text, /another approver or admin must check it/);
    assert.equal(await (await byId("change-status")).getAttribute("data-status"), "pending");
    await screenshot(driver, "changes-2-maker-refused");
  });

  it("lets dave (approver) see it counted, read the difference and approve it: the key is pinned", async () => {
    await switchUser("dave");
    const count = Number(await retry(async () => (await byId("changes-count")).getAttribute("data-count")));
    assert.ok(count >= 1, `the nav counts the waiting changes (${count})`);
    await click("nav-changes");
    await screen("changes");
    const row = await byId(`change-open-${change}`);
    assert.match(await row.getText(), /Onboard Initrode AG/);
    await screenshot(driver, "changes-3-list");
    await mainScreen(driver, "changes");
    await click(`change-open-${change}`);
    await screen("change");
    assert.match(await textOf("change-proposed"), /^alice, /);
    const after = await retry(async () => (await driver.findElement(By.css('#change-diff tr[data-field="fingerprint"] td.after'))).getText());
    assert.equal(after, fingerprint);
    assert.equal(await (await byId("change-approve")).isEnabled(), true);
    await mainScreen(driver, "change");
    await click("change-approve");
    await driver.wait(soon(async () => (await (await byId("change-status")).getAttribute("data-status")) === "approved"), 20_000, "approved");
    assert.equal(await textOf("change-notice"), `Change ${change} is approved and applied.`);
    assert.match(await textOf("change-decided"), /^dave, /);
    await screenshot(driver, "changes-4-approved");

    await click("nav-partners");
    await screen("partners");
    await byId("partners-table");
    const partner = await partnerRow("Initrode AG");
    assert.ok(partner, "Initrode AG is a partner now");
    assert.match(await partner.getText(), new RegExp(fingerprint));
  });
});
