import { describe, expect, it, vi } from "vitest";
import { type AppInfo, describeError, isAppInfo, loadAppInfo, type TauriBridge } from "./appInfo";

const info: AppInfo = {
  version: "0.1.0",
  dataDir: "/home/ada/.local/share/dev.syncer.Syncer",
  logDir: "/home/ada/.local/share/dev.syncer.Syncer/logs",
  databasePath: "/home/ada/.local/share/dev.syncer.Syncer/syncer.db",
};

function bridge(inTauri: boolean, answer: () => Promise<unknown>): TauriBridge {
  return {
    isTauri: () => inTauri,
    invoke: <T>() => answer() as Promise<T>,
  };
}

describe("loadAppInfo", () => {
  it("reports 'unavailable' outside the desktop shell without calling it", async () => {
    const answer = vi.fn(() => Promise.resolve(info));
    await expect(loadAppInfo(bridge(false, answer))).resolves.toEqual({ kind: "unavailable" });
    expect(answer).not.toHaveBeenCalled();
  });

  it("is unavailable with the real bridge under Vitest (no Tauri globals)", async () => {
    await expect(loadAppInfo()).resolves.toEqual({ kind: "unavailable" });
  });

  it("asks the shell for `app_info` and returns its answer", async () => {
    const invoke = vi.fn(() => Promise.resolve(info));
    const result = await loadAppInfo({
      isTauri: () => true,
      invoke: invoke as TauriBridge["invoke"],
    });
    expect(invoke).toHaveBeenCalledWith("app_info");
    expect(result).toEqual({ kind: "ok", info });
  });

  it("passes a database problem through for the page to show", async () => {
    const broken = { ...info, databaseError: "the database file is damaged: move it aside" };
    const result = await loadAppInfo(bridge(true, () => Promise.resolve(broken)));
    expect(result).toEqual({ kind: "ok", info: broken });
  });

  it("treats serde's null database error as no error", async () => {
    const result = await loadAppInfo(
      bridge(true, () => Promise.resolve({ ...info, databaseError: null })),
    );
    expect(result).toEqual({ kind: "ok", info });
    expect(result.kind === "ok" && "databaseError" in result.info).toBe(false);
  });

  it("turns a rejected command into a message", async () => {
    const result = await loadAppInfo(
      bridge(true, () => Promise.reject("command app_info not found")),
    );
    expect(result).toEqual({ kind: "error", message: "command app_info not found" });
  });

  it("refuses an answer of the wrong shape", async () => {
    const result = await loadAppInfo(bridge(true, () => Promise.resolve({ version: 1 })));
    expect(result.kind).toBe("error");
  });
});

describe("isAppInfo", () => {
  it("accepts the command's shape, with or without a database error", () => {
    expect(isAppInfo(info)).toBe(true);
    expect(isAppInfo({ ...info, databaseError: "locked" })).toBe(true);
    expect(isAppInfo({ ...info, databaseError: null })).toBe(true);
  });

  it("rejects anything else", () => {
    expect(isAppInfo(null)).toBe(false);
    expect(isAppInfo("0.1.0")).toBe(false);
    expect(isAppInfo({ ...info, dataDir: undefined })).toBe(false);
    expect(isAppInfo({ ...info, databaseError: 3 })).toBe(false);
  });
});

describe("describeError", () => {
  it("reads strings, Errors and error-like objects", () => {
    expect(describeError("no store")).toBe("no store");
    expect(describeError(new Error("boom"))).toBe("boom");
    expect(describeError({ message: "denied" })).toBe("denied");
  });

  it("never returns an empty message", () => {
    expect(describeError("")).toBe("Unknown error.");
    expect(describeError(undefined)).toBe("Unknown error.");
    expect(describeError({ code: 5 })).toBe("Unknown error.");
  });
});
