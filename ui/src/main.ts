// Entry point: mounts the app into <main id="app">.
import "./style.css";
import { renderApp } from "./app";

const root = document.getElementById("app");
if (root) {
  void renderApp(root);
}
