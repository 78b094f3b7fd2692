// A partner's freeze notice in the real app (issue 20), on a copy of the demo workspace of its
// own (so the freeze never reaches the other test files' runs): Acme signs a freeze notice with
// its TEST-ONLY key; carol receives it in the inbox like an instruction; at once the banner names
// Acme, and it stays on every screen (the queue, the partners, Acme's page, which says it is
// frozen) because it is read from the workspace's signed statements on each refresh.
import assert from "node:assert/strict";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { By, until } from "selenium-webdriver";
import { OUT_DIR, ROOT, openApp, screenshot, session } from "./app.mjs";

const DEMO = process.env.E2E_DEMO_DIR;
const CLI = process.env.COUNTERSIGN_CLI;
const WORK = path.join(OUT_DIR, "home/freeze");
const WORKSPACE = path.join(WORK, "workspace");
const NOTICE = path.join(WORK, "acme-freeze.json");

describe("a partner's freeze notice: the banner on every screen", { timeout: 300_000 }, () => {
  let driver;
  const { byId, retry, soon, click, type, screen, signIn } = session(() => driver);

  const banner = () => retry(async () => driver.findElement(By.id("freeze-banner")));
  const bannerShows = async (name) => {
    await driver.wait(
      soon(async () => {
        const element = await banner();
        return (await element.isDisplayed()) && (await element.getText()).includes(name);
      }),
      20_000,
      `the freeze banner names ${name}`,
    );
  };

  before(async () => {
    assert.ok(DEMO && CLI, "run.sh sets E2E_DEMO_DIR and COUNTERSIGN_CLI");
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    cpSync(path.join(DEMO, "workspace"), WORKSPACE, { recursive: true });
    execFileSync(CLI, ["freeze", "--key", path.join(ROOT, "keys/acme.key"), "--reason", "Our mail server was compromised", "--out", NOTICE], {
      env: { ...process.env, COUNTERSIGN_KEY_PASSPHRASE: "TEST-ONLY acme demo" },
    });
    driver = await openApp({ args: ["--data-dir", WORKSPACE] });
  });

  after(async () => {
    await driver?.quit();
  });

  it("shows no banner before, and names Acme on every screen once carol receives its notice", async () => {
    await signIn("carol");
    await screen("queue");
    assert.equal(await (await banner()).isDisplayed(), false, "no partner is frozen yet");
    await click("nav-inbox");
    await screen("inbox");
    await type("receive-paths", NOTICE);
    await click("receive-submit");
    const result = await driver.wait(until.elementLocated(By.css("#receive-results li[data-notice]")), 60_000);
    assert.equal(await result.getAttribute("data-notice"), "freeze_notice");
    assert.equal(await result.getAttribute("data-outcome"), "applied");
    assert.equal(await result.getAttribute("data-verdict"), "hold");
    await bannerShows("Acme");
    await click("nav-queue");
    await screen("queue");
    await bannerShows("Acme");
    await click("nav-partners");
    await screen("partners");
    await bannerShows("Acme");
    const acme = await retry(async () => {
      for (const button of await driver.findElements(By.css("#partners-table button[id^=partner-open-]"))) {
        if ((await button.getText()).startsWith("Acme")) return button;
      }
      return null;
    });
    assert.ok(acme, "Acme is in the partner list");
    await acme.click();
    await screen("partner");
    const frozen = await byId("partner-frozen");
    assert.match(await frozen.getText(), /froze its payments/);
    await bannerShows("Acme");
    await screenshot(driver, "freeze-banner");
  });
});
