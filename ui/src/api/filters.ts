import type { Availability } from "../bindings/Availability";
import type { Field } from "../bindings/Field";
import type { FieldInfo } from "../bindings/FieldInfo";
import type { FieldKind } from "../bindings/FieldKind";
import type { FieldProblem } from "../bindings/FieldProblem";
import type { Filter } from "../bindings/Filter";
import type { ParseError } from "../bindings/ParseError";
import { type Bridge, call, callWith, type Failure, type Outcome, realBridge } from "./bridge";
import { isQueryError } from "./checks";

export { isFilter, isQueryError } from "./checks";
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
  | (Failure & { error: QueryError | null });

/** The Tauri functions this module needs; tests pass their own (see test/fakeConnections). */
export type FiltersBridge = Bridge;

/** Everything the filter editor asks of the shell. */
export type FiltersApi = {
  isAvailable: () => boolean;
  /** Reads query text into a filter (`parse_query`). */
  parseQuery: (text: string) => Promise<ParseOutcome>;
  /** Writes a filter as canonical query text (`format_query`). */
  formatQuery: (filter: Filter) => Promise<Outcome<string>>;
  /** Every field a rule can use, in display order (`filter_fields`). */
  filterFields: () => Promise<Outcome<FieldInfo[]>>;
  /** The filter's exclusion lists: its top-level `-in:` rules (`filter_exclusions`). */
  filterExclusions: (filter: Filter) => Promise<Outcome<string[]>>;
  /** The filter with exactly these exclusion lists (`set_filter_exclusions`). */
  setFilterExclusions: (filter: Filter, playlists: string[]) => Promise<Outcome<Filter>>;
};

export function createFiltersApi(bridge: FiltersBridge = realBridge): FiltersApi {
  return {
    isAvailable: () => bridge.isTauri(),
    parseQuery: async (text) => {
      // The one command that rejects with its own error: a query's, with its column.
      const rejected: { error: QueryError | null } = { error: null };
      const outcome = await callWith(bridge, "parse_query", { text }, (error) => {
        rejected.error = isQueryError(error) ? error : null;
      });
      if (outcome.ok) {
        return outcome;
      }
      const { error } = rejected;
      return error === null
        ? { ...outcome, error: null }
        : { ok: false, message: describeQueryError(error), error };
    },
    formatQuery: (filter) => call(bridge, "format_query", { filter }),
    filterFields: () => call(bridge, "filter_fields"),
    filterExclusions: (filter) => call(bridge, "filter_exclusions", { filter }),
    setFilterExclusions: (filter, playlists) =>
      call(bridge, "set_filter_exclusions", { filter, playlists }),
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
