// Smoke test of the built app: the window opens, the UI calls the Rust side, and the version it
// shows is the one compiled into the binary.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { By, until } from "selenium-webdriver";
import { appCrateVersion, openApp, screenshot } from "./app.mjs";

describe("the app window", { timeout: 120_000 }, () => {
  let driver;

  before(async () => {
    driver = await openApp();
  });

  after(async () => {
    await driver?.quit();
  });

  it("shows the version returned by the app_info command", async () => {
    const expected = await appCrateVersion();
    const main = await driver.wait(until.elementLocated(By.css("main#app")), 20_000);
    await driver.wait(async () => (await main.getAttribute("data-state")) !== "loading", 20_000);
    const file = await screenshot(driver, "smoke");
    console.log(`screenshot: ${file}`);

    assert.equal(await main.getAttribute("data-state"), "ready");
    assert.equal(await driver.findElement(By.id("app-version")).getText(), expected);
    assert.equal(await driver.findElement(By.id("app-name")).getText(), "Countersign");
    assert.equal(await driver.getTitle(), "Countersign");
  });

  it("talks to Rust through the isolation frame, which stays hidden", async () => {
    const frames = await driver.findElements(By.css("iframe#__tauri_isolation__"));
    assert.equal(frames.length, 1, "the isolation pattern is on");
    assert.equal(await frames[0].isDisplayed(), false);
  });

  it("runs the page under the app's CSP: eval is refused", async () => {
    const outcome = await driver.executeScript(
      "try { return (0, eval)('\"evaluated\"'); } catch (e) { return e.name; }",
    );
    assert.equal(outcome, "EvalError");
  });
});
