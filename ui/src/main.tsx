import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { rememberRoutes, restoreRoute } from "./api/window";
import "./styles/tokens.css";
import "./styles/app.css";

const root = document.getElementById("root");
if (root === null) {
  throw new Error("index.html has no #root element");
}
const mount = root;
// A window built again from the tray opens on the page the closed one showed.
void restoreRoute().finally(() => {
  rememberRoutes();
  createRoot(mount).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
});
