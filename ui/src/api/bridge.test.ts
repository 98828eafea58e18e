import { describe, expect, it, vi } from "vitest";
import { loadAppInfo } from "./appInfo";
import {
  type Bridge,
  COMMANDS,
  type Command,
  call,
  describeError,
  failure,
  UNAVAILABLE_MESSAGE,
} from "./bridge";
import { createCloudApi } from "./cloud";
import { createConnectionsApi } from "./connections";
import { ERROR_KINDS } from "./enums";
import { createFiltersApi } from "./filters";
import { createGenresApi } from "./genres";
import { createLibraryApi } from "./library";
import { createSyncApi } from "./sync";
import { createUpdatesApi } from "./updates";
import { createWindowApi } from "./window";

type AnyCall = (...args: unknown[]) => Promise<unknown>;

/** A shell that answers every command with `answer`, remembering which command it was. */
function shell(answer: (command: string) => Promise<unknown>) {
  const commands: string[] = [];
  const bridge: Bridge = {
    isTauri: () => true,
    invoke: <T>(command: string) => {
      commands.push(command);
      return answer(command) as Promise<T>;
    },
    listen: async () => () => {},
  };
  return { bridge, commands };
}

/**
 * Every command-calling function of every api module, called with stand-in arguments (the
 * shell answers the same whatever they are). Events (`on…`) and `isAvailable` are left out.
 */
function everyCall(bridge: Bridge): Array<[string, () => Promise<unknown>]> {
  const modules: Record<string, object> = {
    connections: createConnectionsApi(bridge),
    filters: createFiltersApi(bridge),
    genres: createGenresApi(bridge),
    library: createLibraryApi(bridge),
    sync: createSyncApi(bridge),
    cloud: createCloudApi(bridge),
    updates: createUpdatesApi(bridge),
    window: createWindowApi(bridge),
  };
  const calls: Array<[string, () => Promise<unknown>]> = [
    ["appInfo.loadAppInfo", () => loadAppInfo(bridge)],
  ];
  for (const [module, api] of Object.entries(modules)) {
    for (const [name, fn] of Object.entries(api)) {
      if (name === "isAvailable" || name.startsWith("on") || typeof fn !== "function") {
        continue;
      }
      calls.push([`${module}.${name}`, () => (fn as AnyCall)("x", "y", "z", "w")]);
    }
  }
  return calls;
}

describe("the bridge", () => {
  it("keeps CommandError.code through every api module's every call", async () => {
    const rejected = { message: "Liked Songs is already syncing", code: "sync_in_progress" };
    const { bridge, commands } = shell(() => Promise.reject(rejected));
    const calls = everyCall(bridge);
    // Every module is covered, and so is every command the modules call.
    expect(calls.length).toBeGreaterThan(50);
    for (const [name, run] of calls) {
      const result = (await run()) as Record<string, unknown>;
      expect({ name, ...result }).toMatchObject({
        name,
        message: "Liked Songs is already syncing",
        code: "sync_in_progress",
      });
    }
    expect(commands).toHaveLength(calls.length);
    expect([...new Set(commands)].sort()).toEqual([...COMMANDS].sort());
  });

  it("passes every code the shell knows, and leaves out one it does not", async () => {
    for (const code of ERROR_KINDS) {
      const { bridge } = shell(() => Promise.reject({ message: "no", code }));
      expect(await call(bridge, "list_bases")).toEqual({ ok: false, message: "no", code });
    }
    const { bridge } = shell(() => Promise.reject({ message: "no", code: "made_up" }));
    expect(await call(bridge, "list_bases")).toEqual({ ok: false, message: "no" });
    expect(failure("the store is locked")).toEqual({ ok: false, message: "the store is locked" });
  });

  it("refuses a wrong-shaped answer with a message naming the command", async () => {
    const { bridge, commands } = shell(() => Promise.resolve({ unexpected: true }));
    for (const [name, run] of everyCall(bridge)) {
      const command = commands.length;
      const result = (await run()) as { ok?: boolean; kind?: string; message: string };
      expect(result.ok === false || result.kind === "error", name).toBe(true);
      expect(result.message, name).toBe(
        `The app answered ${commands[command]} in an unexpected format.`,
      );
    }
  });

  it("answers 'unavailable' outside the shell without calling it", async () => {
    const invoke = vi.fn();
    const bridge: Bridge = { isTauri: () => false, invoke };
    expect(await call(bridge, "sync_status")).toEqual({
      ok: false,
      message: UNAVAILABLE_MESSAGE,
    });
    expect(invoke).not.toHaveBeenCalled();
  });

  it("sends a command's arguments as given, and none for a command without", async () => {
    const invoke = vi.fn(() => Promise.resolve(null));
    const bridge: Bridge = { isTauri: () => true, invoke: invoke as Bridge["invoke"] };
    expect(await call(bridge, "set_flag", { setting: "start_minimised", value: true })).toEqual({
      ok: true,
      value: null,
    });
    await call(bridge, "sync_status");
    expect(invoke.mock.calls).toEqual([
      ["set_flag", { setting: "start_minimised", value: true }],
      ["sync_status"],
    ]);
  });

  it("type-checks each command's arguments", () => {
    const { bridge } = shell(() => Promise.resolve(null));
    // Only checked by `npm run typecheck`; nothing here runs against a shell.
    const typed = (_command: Command) => {
      // @ts-expect-error: not a setting
      void call(bridge, "set_flag", { setting: "dark_mode", value: true });
      // @ts-expect-error: the status filter takes a SyncStatus or null, never "all"
      void call(bridge, "list_history", { base: null, status: "all", limit: null });
      // @ts-expect-error: set_routing takes a RoutingMode
      void call(bridge, "set_routing", { base: "b", mode: "first", order: [], catchAll: null });
      // @ts-expect-error: a command without arguments takes none
      void call(bridge, "list_bases", {});
      // @ts-expect-error: not a command
      void call(bridge, "sync_everything");
    };
    expect(typeof typed).toBe("function");
  });

  it("reads strings, Errors and error-like objects", () => {
    expect(describeError("no store")).toBe("no store");
    expect(describeError(new Error("boom"))).toBe("boom");
    expect(describeError({ message: "denied", code: "refused" })).toBe("denied");
    expect(describeError(undefined)).toBe("Unknown error.");
  });
});
