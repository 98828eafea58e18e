import { describe, expect, it } from "vitest";
import { FIELDS, queryError } from "../filters/fakeFilters";
import { fakeShell } from "../test/fakeConnections";
import { UNAVAILABLE_MESSAGE } from "./connections";
import {
  createFiltersApi,
  defaultFiltersApi,
  describeQueryError,
  isFilter,
  isQueryError,
} from "./filters";

const filter = { root: { rule: { type: "bool", field: "explicit", value: true } } };

describe("createFiltersApi", () => {
  it("is unavailable outside the desktop shell, without calling it", async () => {
    const shell = fakeShell({ filter_fields: () => FIELDS }, false);
    const api = createFiltersApi(shell.bridge);
    expect(api.isAvailable()).toBe(false);
    expect(await api.filterFields()).toEqual({ ok: false, message: UNAVAILABLE_MESSAGE });
    expect(await api.parseQuery("explicit")).toEqual({
      ok: false,
      message: UNAVAILABLE_MESSAGE,
      error: null,
    });
    expect(shell.calls).toEqual([]);
    expect(defaultFiltersApi.isAvailable()).toBe(false);
  });

  it("calls each command by name with its arguments", async () => {
    const shell = fakeShell({
      parse_query: () => filter,
      format_query: () => "explicit",
      filter_fields: () => FIELDS,
    });
    const api = createFiltersApi(shell.bridge);
    expect(await api.parseQuery("explicit")).toEqual({ ok: true, value: filter });
    expect(await api.formatQuery(filter as never)).toEqual({ ok: true, value: "explicit" });
    expect(await api.filterFields()).toEqual({ ok: true, value: FIELDS });
    expect(shell.calls).toEqual([
      { command: "parse_query", args: { text: "explicit" } },
      { command: "format_query", args: { filter } },
      { command: "filter_fields", args: {} },
    ]);
  });

  it("tells a query error (with its column) from a failing shell", async () => {
    const error = queryError(3, "unknown field 'gnre'", "genre");
    const shell = fakeShell({ parse_query: () => Promise.reject(error) });
    const api = createFiltersApi(shell.bridge);
    expect(await api.parseQuery("gnre:rock")).toEqual({
      ok: false,
      message: "Unknown field 'gnre' at column 3 — did you mean “genre”?",
      error,
    });
    shell.handlers.parse_query = () => Promise.reject("invalid args `text` for command");
    expect(await api.parseQuery("x")).toEqual({
      ok: false,
      message: "invalid args `text` for command",
      error: null,
    });
    shell.handlers.parse_query = () => 42;
    const odd = await api.parseQuery("x");
    expect(odd.ok).toBe(false);
  });

  it("refuses answers of the wrong shape", async () => {
    const shell = fakeShell({ format_query: () => 1, filter_fields: () => [{ field: "x" }] });
    const api = createFiltersApi(shell.bridge);
    expect((await api.formatQuery(filter as never)).ok).toBe(false);
    expect((await api.filterFields()).ok).toBe(false);
  });
});

describe("query errors", () => {
  it("say what, where, and the fix or what was expected", () => {
    expect(describeQueryError(queryError(1, "unknown field 'x'"))).toBe(
      "Unknown field 'x' at column 1 — expected a field name such as title, artist or genre",
    );
    expect(isQueryError(queryError(1, "x"))).toBe(true);
    expect(isQueryError({ message: "x" })).toBe(false);
    expect(isFilter(filter)).toBe(true);
    expect(isFilter({ root: 1 })).toBe(false);
  });
});
