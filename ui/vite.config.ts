/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The Tauri shell loads ui/dist from its own asset protocol, so every URL must be relative, and
// the code must run on the oldest engine we ship on: WebKitGTK on Linux (Safari 15 level).
export default defineConfig({
  base: "./",
  plugins: [react()],
  // Keep Rust's compiler output visible when `tauri dev` runs Vite beside cargo.
  clearScreen: false,
  server: {
    // tauri.conf.json's devUrl points here; a silently different port would load a blank window.
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: ["es2021", "safari15"],
    sourcemap: false,
  },
  test: {
    // Logic tests run in plain Node; files that need a DOM opt in with a docblock.
    environment: "node",
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
