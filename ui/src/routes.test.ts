import { describe, expect, it } from "vitest";
import { DEFAULT_ROUTE, isRoute, parseRoute, ROUTES, routeHref, routeLabel } from "./routes";

describe("parseRoute", () => {
  it("opens on Connections when there is no hash", () => {
    expect(parseRoute("")).toBe("connections");
    expect(parseRoute("#")).toBe("connections");
    expect(parseRoute("#/")).toBe("connections");
    expect(DEFAULT_ROUTE).toBe("connections");
  });

  it("reads every page from its own link", () => {
    for (const route of ROUTES) {
      expect(parseRoute(routeHref(route))).toBe(route);
    }
  });

  it("tolerates the spellings people and the shell produce", () => {
    expect(parseRoute("#history")).toBe("history");
    expect(parseRoute("/history")).toBe("history");
    expect(parseRoute("history")).toBe("history");
    expect(parseRoute("#/History")).toBe("history");
    expect(parseRoute("#//settings/")).toBe("settings");
    expect(parseRoute("#/settings?section=data")).toBe("settings");
    expect(parseRoute("#/playlists/abc123")).toBe("playlists");
  });

  it("falls back to the default page for anything unknown", () => {
    expect(parseRoute("#/nope")).toBe("connections");
    expect(parseRoute("#/%E0%A4%A")).toBe("connections");
    expect(parseRoute("#/constructor")).toBe("connections");
    expect(parseRoute("#/__proto__")).toBe("connections");
  });
});

describe("labels and links", () => {
  it("names each page exactly as the heading shows it", () => {
    expect(ROUTES.map(routeLabel)).toEqual(["Connections", "Playlists", "History", "Settings"]);
  });

  it("builds hash links", () => {
    expect(routeHref("history")).toBe("#/history");
  });

  it("recognises only real pages", () => {
    expect(isRoute("settings")).toBe(true);
    expect(isRoute("Settings")).toBe(false);
    expect(isRoute("toString")).toBe(false);
  });
});
