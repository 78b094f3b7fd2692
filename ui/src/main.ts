// Entry point: mounts the first screen into <main id="app">.
import "./style.css";
import { renderHome } from "./screens/home";

const root = document.getElementById("app");
if (root) {
  void renderHome(root);
}
