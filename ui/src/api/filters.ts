import { invoke as tauriInvoke, isTauri as tauriIsTauri } from "@tauri-apps/api/core";
import type { Availability } from "../bindings/Availability";
import type { Field } from "../bindings/Field";
import type { FieldInfo } from "../bindings/FieldInfo";
import type { FieldKind } from "../bindings/FieldKind";
import type { FieldProblem } from "../bindings/FieldProblem";
import type { Filter } from "../bindings/Filter";
import type { ParseError } from "../bindings/ParseError";
import { describeError } from "./appInfo";
import { type Outcome, UNAVAILABLE_MESSAGE } from "./connections";

// Generated from the Rust types in syncer-core (crates/core/src/filter) by ts-rs.
export type { Availability, Field, FieldInfo, FieldKind, FieldProblem, Filter, ParseError };

/**
 * Why a query could not be read: the message, the 1-based column (in characters), what would
 * have been accepted there, and a likely fix. The shell's `parse_query` rejects with it.
 */
export type QueryError = ParseError;

/** `parse_query`'s answer: the filter, or why the text is not a query (or the shell failed). */
export type ParseOutcome =
  | { ok: true; value: Filter }
  /** `error` is set when the text itself is at fault; `null` when the shell could not answer. */
  | { ok: false; message: string; error: QueryError | null };

/** The two Tauri functions this wrapper needs; tests pass their own (see test/fakeConnections). */
export type FiltersBridge = {
  isTauri: () => boolean;
  invoke: <T>(command: string, args?: Record<string, unknown>) => Promise<T>;
};

const realBridge: FiltersBridge = {
  isTauri: tauriIsTauri,
  invoke: (command, args) => tauriInvoke(command, args),
};

/** Everything the filter editor asks of the shell. */
export type FiltersApi = {
  isAvailable: () => boolean;
  /** Reads query text into a filter (`parse_query`). */
  parseQuery: (text: string) => Promise<ParseOutcome>;
  /** Writes a filter as canonical query text (`format_query`). */
  formatQuery: (filter: Filter) => Promise<Outcome<string>>;
  /** Every field a rule can use, in display order (`filter_fields`). */
  filterFields: () => Promise<Outcome<FieldInfo[]>>;
};

export function createFiltersApi(bridge: FiltersBridge = realBridge): FiltersApi {
  async function call<T>(
    command: string,
    args: Record<string, unknown> | undefined,
    check: (value: unknown) => value is T,
  ): Promise<Outcome<T>> {
    if (!bridge.isTauri()) {
      return { ok: false, message: UNAVAILABLE_MESSAGE };
    }
    try {
      const value = await bridge.invoke<unknown>(command, args);
      if (!check(value)) {
        return { ok: false, message: `The app answered ${command} in an unexpected format.` };
      }
      return { ok: true, value };
    } catch (error) {
      return { ok: false, message: describeError(error) };
    }
  }

  return {
    isAvailable: () => bridge.isTauri(),
    parseQuery: async (text) => {
      if (!bridge.isTauri()) {
        return { ok: false, message: UNAVAILABLE_MESSAGE, error: null };
      }
      try {
        const value = await bridge.invoke<unknown>("parse_query", { text });
        if (!isFilter(value)) {
          return {
            ok: false,
            message: "The app answered parse_query in an unexpected format.",
            error: null,
          };
        }
        return { ok: true, value };
      } catch (error) {
        return isQueryError(error)
          ? { ok: false, message: describeQueryError(error), error }
          : { ok: false, message: describeError(error), error: null };
      }
    },
    formatQuery: (filter) => call("format_query", { filter }, isString),
    filterFields: () => call("filter_fields", undefined, isArrayOf(isFieldInfo)),
  };
}

/** The shell's API for the running app; "unavailable" under Vitest and in a plain browser. */
export const defaultFiltersApi: FiltersApi = createFiltersApi();

/** One sentence: what is wrong, where, and the likely fix or what would fit. */
export function describeQueryError(error: QueryError): string {
  const fix = error.suggestion
    ? `did you mean “${error.suggestion}”?`
    : `expected ${error.expected}`;
  return `${capitalise(error.message)} at column ${error.column} — ${fix}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---- shape checks ------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function isArrayOf<T>(check: (value: unknown) => value is T) {
  return (value: unknown): value is T[] => Array.isArray(value) && value.every(check);
}

/** Shallow on purpose: the shell builds the filter from the same types. */
export function isFilter(value: unknown): value is Filter {
  return isRecord(value) && isRecord(value.root) && ("rule" in value.root || "group" in value.root);
}

export function isQueryError(value: unknown): value is QueryError {
  return (
    isRecord(value) &&
    typeof value.column === "number" &&
    typeof value.message === "string" &&
    typeof value.expected === "string" &&
    (value.suggestion === null || value.suggestion === undefined || isString(value.suggestion))
  );
}

function isFieldInfo(value: unknown): value is FieldInfo {
  return (
    isRecord(value) &&
    typeof value.field === "string" &&
    typeof value.label === "string" &&
    typeof value.kind === "string" &&
    typeof value.example === "string"
  );
}
