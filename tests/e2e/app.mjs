// Helpers for driving the real Countersign binary through tauri-driver (a W3C WebDriver server
// in front of WebKitWebDriver). run.sh starts tauri-driver and sets the variables read here.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { By, Capabilities, Key, WebDriver, until } from "selenium-webdriver";
import http from "selenium-webdriver/http/index.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const OUT_DIR = process.env.E2E_OUT_DIR ?? path.join(ROOT, "target/e2e");
const APP = process.env.COUNTERSIGN_APP ?? path.join(ROOT, "target/debug/countersign-app");
const DRIVER_URL = process.env.E2E_DRIVER_URL ?? "http://127.0.0.1:4444";
/** The second tauri-driver run.sh starts, for a second app window at the same time. */
export const SECOND_DRIVER_URL = process.env.E2E_SECOND_DRIVER_URL ?? "http://127.0.0.1:4446";

/**
 * Starts the app in a new WebDriver session. No `browserName`: tauri-driver picks the native
 * driver itself and launches `tauri:options.application` with `args` (for example
 * `["--data-dir", DIR]`). A tauri-driver holds one session at a time: a second window at once
 * needs the second driver run.sh starts (`driverUrl: SECOND_DRIVER_URL`).
 */
export async function openApp({ timeoutMs = 30_000, args = [], driverUrl = DRIVER_URL } = {}) {
  const executor = new http.Executor(new http.HttpClient(driverUrl));
  const capabilities = new Capabilities({ "tauri:options": { application: APP, args } });
  const driver = WebDriver.createSession(executor, capabilities);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${APP} did not open a window within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([driver.getSession(), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return driver;
}

/** The generator of a workspace of many cases (`examples/scale_workspace.rs`), built by `make test-e2e`. */
const SCALE_GENERATOR = process.env.COUNTERSIGN_SCALE_GENERATOR ?? path.join(ROOT, "target/debug/examples/scale_workspace");
/** Where the scale tests make it (run.sh starts each run with a fresh home). */
export const SCALE_DIR = path.join(OUT_DIR, "home", "scale");

/**
 * Makes a workspace of `cases` cases in SCALE_DIR/workspace (alice, admin, "TEST-ONLY alice demo")
 * and returns the facts its `scale.json` names: the cases to find by number, IBAN and amount.
 * With `events`, the generator goes on with months of work until the log holds that many events
 * (a commit each: about a minute in a release build, written in /dev/shm): such a workspace is kept
 * in OUT_DIR/scale-cache, named after the generator binary's size and time and the counts, and
 * copied from there by the next run.
 */
export function makeScaleWorkspace(cases = 10_000, events = null) {
  const started = Date.now();
  const args = ["--cases", String(cases), ...(events ? ["--events", String(events)] : [])];
  const generator = statSync(SCALE_GENERATOR);
  const cached = events && path.join(OUT_DIR, "scale-cache", `${cases}-${events}-${generator.size}-${Math.round(generator.mtimeMs)}`);
  rmSync(SCALE_DIR, { recursive: true, force: true });
  if (cached && existsSync(path.join(cached, "scale.json"))) {
    cpSync(cached, SCALE_DIR, { recursive: true });
    console.log(`the scale workspace copied from ${cached} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } else {
    // Months of work commit once per event: on a disk each commit waits for its sync, so they are
    // written in memory (/dev/shm) where the machine has it, then copied.
    const scratch = events && existsSync("/dev/shm") ? mkdtempSync("/dev/shm/countersign-scale-") : null;
    const out = execFileSync(SCALE_GENERATOR, [scratch ?? SCALE_DIR, ...args], { encoding: "utf8", timeout: 3_600_000 });
    if (scratch) {
      cpSync(scratch, SCALE_DIR, { recursive: true });
      rmSync(scratch, { recursive: true, force: true });
    }
    console.log(`${out.trim()} (${((Date.now() - started) / 1000).toFixed(1)} s with start-up)`);
    if (cached) {
      rmSync(path.join(OUT_DIR, "scale-cache"), { recursive: true, force: true });
      cpSync(SCALE_DIR, cached, { recursive: true });
    }
  }
  return JSON.parse(readFileSync(path.join(SCALE_DIR, "scale.json"), "utf8"));
}

/** Waits until the web view has painted twice, so a screenshot shows the current DOM. */
/**
 * Sets the demo workspace's cooling-off to 0 hours (issue 20) with the CLI `cli`, so a change
 * approved a moment ago can be released in the test: alice proposes the loosening and dave
 * approves it (nothing to approve when it is 0 already). `args`: where the workspace is
 * (`["--data-dir", DIR]`; none for the app's, COUNTERSIGN_DATA_DIR).
 */
export function noCoolingOff(cli, args = []) {
  const run = (user, more) =>
    JSON.parse(execFileSync(cli, ["--json", ...args, "--as", user, ...more], { encoding: "utf8", env: { ...process.env, COUNTERSIGN_PASSWORD: `TEST-ONLY ${user} demo` } }));
  const proposed = run("alice", ["policy", "set", "cooling_off_hours", "0"]);
  if (proposed.pending_change) run("dave", ["change", "approve", String(proposed.pending_change.id)]);
}

export async function settle(driver) {
  await driver.executeAsyncScript(
    "const done = arguments[arguments.length - 1];" +
      "requestAnimationFrame(() => requestAnimationFrame(() => done()));",
  );
}

/** The size of run.sh's Xvfb screen (`-screen 0 1600x1000x24`). */
const SCREEN = { width: 1600, height: 1000 };

/**
 * A PNG of the app's window as the X server shows it: the screen (xwd) cut to the window's
 * rectangle (netpbm). The app draws without accelerated compositing (src-tauri/src/webview.rs),
 * and WebKitWebDriver's own screenshot then never returns once the window has been resized. A
 * window that reaches past the screen's edge is moved to its top left corner first.
 */
export async function windowPicture(driver) {
  const window = driver.manage().window();
  let { x, y, width, height } = await window.getRect();
  if (x + width > SCREEN.width || y + height > SCREEN.height || x < 0 || y < 0) {
    ({ x, y, width, height } = await window.setRect({ x: 0, y: 0 }));
  }
  const cut = `xwd -root -silent | xwdtopnm 2>/dev/null | pamcut -left ${x} -top ${y} -width ${width} -height ${height} | pnmtopng`;
  return execFileSync("bash", ["-o", "pipefail", "-c", cut], { maxBuffer: 64 * 1024 * 1024 });
}

/** Saves a screenshot of the app window as OUT_DIR/NAME.png and returns its path. */
export async function screenshot(driver, name) {
  await settle(driver);
  const file = path.join(OUT_DIR, `${name}.png`);
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(file, await windowPicture(driver));
  return file;
}

/** The `version` of the app crate, read from src-tauri/Cargo.toml. */
export async function appCrateVersion() {
  const manifest = await readFile(path.join(ROOT, "src-tauri/Cargo.toml"), "utf8");
  const match = manifest.match(/^\[package\][^[]*?^version\s*=\s*"([^"]+)"/m);
  if (!match) {
    throw new Error("no [package] version in src-tauri/Cargo.toml");
  }
  return match[1];
}

/**
 * For `make screenshots`: with COUNTERSIGN_SCREENSHOTS set to a folder (relative to the
 * repository or absolute), saves a picture of the screen as FOLDER/NAME.png; otherwise does
 * nothing. The tests call it at the moments docs/screenshots/README.md lists.
 */
export async function docScreenshot(driver, name) {
  const folder = process.env.COUNTERSIGN_SCREENSHOTS;
  if (!folder) return null;
  await settle(driver);
  const dir = path.resolve(ROOT, folder);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await writeFile(file, await windowPicture(driver));
  return file;
}

/** The widths the documentation's screenshots are taken at: the window's own, and a wide one. */
export const DOC_WIDTHS = [1024, 1440];

/**
 * A main screen reached: checked with axe-core (`checkAccessibility`), and for `make screenshots`
 * saved as NAME.png at 1024 px wide and NAME-1440.png at 1440 px, the window put back as it was.
 */
export async function mainScreen(driver, name) {
  await checkAccessibility(driver, name);
  if (!process.env.COUNTERSIGN_SCREENSHOTS) return;
  const window = driver.manage().window();
  const before = await window.getRect();
  try {
    for (const width of DOC_WIDTHS) {
      await window.setRect({ width, height: width === 1024 ? 720 : 900 });
      await docScreenshot(driver, width === 1024 ? name : `${name}-${width}`);
    }
  } finally {
    await window.setRect({ width: before.width, height: before.height });
  }
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The violations axe-core finds on the page as it is, each `{id, impact, help, nodes: [selector…]}`. */
export async function axeViolations(driver) {
  await settle(driver);
  const injected = await driver.executeScript("return typeof window.axe === 'object';");
  if (!injected) await driver.executeScript(`${AXE_SOURCE}\n;window.axe = axe;`);
  const found = await driver.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    // The isolation pattern's hidden frame is Tauri's, not a screen: left out, and frames not entered.
    window.axe
      .run({ exclude: [["#__tauri_isolation__"]] }, { iframes: false, resultTypes: ["violations"] })
      .then((r) => done(JSON.stringify(r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + (n.failureSummary || "").replace(/\\s+/g, " ")),
      })))))
      .catch((e) => done(JSON.stringify({ error: String(e) })));
  `);
  const parsed = JSON.parse(found);
  if (parsed.error) throw new Error(`axe-core failed: ${parsed.error}`);
  return parsed;
}

/** Fails on any serious or critical axe-core violation on the screen shown (named `name`). */
export async function checkAccessibility(driver, name) {
  const serious = (await axeViolations(driver)).filter((v) => v.impact === "serious" || v.impact === "critical");
  if (serious.length > 0) {
    await screenshot(driver, `axe-${name}`);
    const lines = serious.flatMap((v) => [`${v.impact} ${v.id}: ${v.help}`, ...v.nodes.map((n) => `    ${n}`)]);
    throw new Error(`axe-core on ${name}:\n${lines.join("\n")}`);
  }
}

/**
 * What every test does with an app session, bound to `getDriver()` (the session a `before` hook
 * opens). Screens re-render after each answer from Rust, so an element found a moment ago may be
 * gone: actions retry with the element found afresh, and waits count a re-render as "not yet".
 */
export function session(getDriver) {
  const byId = (id) => getDriver().wait(until.elementLocated(By.id(id)), 20_000);
  const stale = (e) => e?.name === "StaleElementReferenceError" || e?.name === "NoSuchElementError";
  /** Runs `action` until it succeeds, for up to five seconds of re-renders. */
  const retry = async (action) => {
    let last;
    for (let i = 0; i < 50; i++) {
      try {
        return await action();
      } catch (e) {
        if (!stale(e)) throw e;
        last = e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw last;
  };
  /** A wait condition that counts a re-render under its feet as "not yet". */
  const soon = (condition) => async () => {
    try {
      return await condition();
    } catch (e) {
      if (stale(e)) return false;
      throw e;
    }
  };
  const textOf = (id) => retry(async () => (await byId(id)).getText());
  const click = (id) => retry(async () => (await byId(id)).click());
  /** Clears the field and types `text`. */
  const type = (id, text) =>
    retry(async () => {
      const input = await byId(id);
      await input.clear();
      await input.sendKeys(text);
    });
  /** Waits until `main[data-screen]` is `name` and the screen is ready. */
  const screen = async (name) => {
    const driver = getDriver();
    const main = await driver.wait(until.elementLocated(By.css("main#app")), 20_000);
    try {
      await driver.wait(
        soon(async () => (await main.getAttribute("data-screen")) === name && (await main.getAttribute("data-state")) === "ready"),
        20_000,
        `screen ${name}`,
      );
    } catch (e) {
      // What was on screen instead, for the one reading the failure.
      const file = await screenshot(driver, `timeout-screen-${name}`).catch(() => "no screenshot");
      e.message += ` (the screen is ${await main.getAttribute("data-screen")}, ${await main.getAttribute("data-state")}; ${file})`;
      throw e;
    }
  };
  /** Signs in as a demo user (password "TEST-ONLY <user> demo") from the sign-in screen. */
  const signIn = async (user) => {
    await screen("login");
    await type("login-user", user);
    await type("login-password", `TEST-ONLY ${user} demo`);
    await (await byId("login-password")).sendKeys(Key.ENTER);
  };
  /**
   * "Switch user" in the header: `user` signs in over the open screen (the form in front of it),
   * and the screen that was open is opened again for them. Waits until the header names them.
   */
  const switchTo = async (user) => {
    await click("switch-user");
    await type("switch-user-name", user);
    await type("switch-password", `TEST-ONLY ${user} demo`);
    await (await byId("switch-password")).sendKeys(Key.ENTER);
    await getDriver().wait(
      soon(async () => (await textOf("current-user")).startsWith(`${user} `)),
      20_000,
      `signed in as ${user}`,
    );
  };
  /** Switches to `user` (see switchTo), then opens All cases. */
  const switchUser = async (user) => {
    await switchTo(user);
    await click("nav-inbox");
    await screen("inbox");
  };
  /**
   * As the signed-in user, opens Pending changes, then change `id`, and approves it (four eyes:
   * never its maker); waits until the change says it is approved.
   */
  const approveChange = async (id) => {
    await click("nav-changes");
    await screen("changes");
    await click(`change-open-${id}`);
    await screen("change");
    await getDriver().wait(soon(async () => (await textOf("change-title")).startsWith(`Change ${id}:`)), 20_000, `change ${id}`);
    await click("change-approve");
    await getDriver().wait(
      soon(async () => (await (await byId("change-status")).getAttribute("data-status")) === "approved"),
      20_000,
      `change ${id} approved`,
    );
  };
  return { byId, retry, soon, textOf, click, type, screen, signIn, switchTo, switchUser, approveChange };
}
