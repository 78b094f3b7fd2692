import { defineConfig } from "vitest/config";

// Tauri loads ui/dist through its own protocol in the built app, and the dev server below
// (src-tauri/tauri.conf.json `devUrl`) when the app is built without `custom-protocol`.
export default defineConfig({
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    host: "localhost",
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // No inline scripts or styles and no eval: the app's CSP allows none of them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts"],
  },
});
