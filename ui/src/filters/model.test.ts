import { describe, expect, it } from "vitest";
import type { Filter } from "../bindings/Filter";
import type { Group } from "../bindings/Group";
import type { Node } from "../bindings/Node";
import type { Rule } from "../bindings/Rule";
import { FIELDS } from "./fakeFilters";
import {
  appendChild,
  changeCompareOp,
  changeDateOp,
  changeTextOp,
  compareOperators,
  compareParts,
  datesReversed,
  defaultRule,
  displaySpan,
  emptyFilter,
  formatDuration,
  isPartialDate,
  makeTextOp,
  moveNode,
  nodeAt,
  parseCount,
  parseDuration,
  parseWholeNumber,
  pathLabel,
  removeNode,
  replaceNode,
  rootGroup,
  sameFilter,
  splitValues,
  stepsOf,
  TEXT_OPERATORS,
  textOpKey,
  textOpValue,
  toSpan,
  updateGroup,
  withExact,
  withField,
  withRoot,
  withSteps,
} from "./model";

const title = (v: string): Node => ({
  rule: { type: "text", field: "title", op: { contains: v } },
});
const explicit: Node = { rule: { type: "bool", field: "explicit", value: true } };

function field(name: string) {
  const info = FIELDS.find((f) => f.field === name);
  if (info === undefined) {
    throw new Error(name);
  }
  return info;
}

/** all( a, any( b, c ), d ) */
function tree(): Group {
  return {
    mode: "all",
    children: [
      title("a"),
      { group: { mode: "any", children: [title("b"), title("c")] } },
      title("d"),
    ],
  };
}

describe("tree edits by path", () => {
  it("finds nodes by path, the root at []", () => {
    const root = tree();
    expect(nodeAt(root, [])).toEqual({ group: root });
    expect(nodeAt(root, [1, 0])).toEqual(title("b"));
    expect(nodeAt(root, [0, 0])).toBeUndefined();
    expect(nodeAt(root, [7])).toBeUndefined();
  });

  it("replaces, appends and removes without touching the rest", () => {
    const root = tree();
    const replaced = replaceNode(root, [1, 1], explicit);
    expect(nodeAt(replaced, [1, 1])).toEqual(explicit);
    // Structural sharing: nodes off the path are the same objects.
    expect(replaced.children[0]).toBe(root.children[0]);
    expect(replaced.children[2]).toBe(root.children[2]);
    expect(root).toEqual(tree());

    const appended = appendChild(root, [1], title("e"));
    expect(nodeAt(appended, [1, 2])).toEqual(title("e"));
    expect(appendChild(root, [], explicit).children).toHaveLength(4);

    const removed = removeNode(root, [1, 0]);
    expect(nodeAt(removed, [1])).toEqual({ group: { mode: "any", children: [title("c")] } });
    expect(removeNode(root, [])).toBe(root);
  });

  it("moves a node among its siblings and stops at either end", () => {
    const root = tree();
    const down = moveNode(root, [0], 1);
    expect(down.children[1]).toEqual(title("a"));
    expect(down.children[0]).toEqual(root.children[1]);
    const up = moveNode(root, [1, 1], -1);
    expect(nodeAt(up, [1, 0])).toEqual(title("c"));
    expect(moveNode(root, [0], -1)).toEqual(root);
    expect(moveNode(root, [2], 1)).toEqual(root);
  });

  it("changes a nested group's mode by path", () => {
    const root = updateGroup(tree(), [1], (g) => ({ ...g, mode: "none" }));
    expect(nodeAt(root, [1])).toMatchObject({ group: { mode: "none" } });
    // A path through a rule changes nothing.
    expect(updateGroup(tree(), [0], (g) => ({ ...g, mode: "none" }))).toEqual(tree());
  });

  it("shows a lone root rule as a group of one and writes one rule back bare", () => {
    const single: Filter = { root: title("a") };
    expect(rootGroup(single)).toEqual({ mode: "all", children: [title("a")] });
    expect(withRoot(single, { mode: "all", children: [title("a")] }).root).toEqual(title("a"));
    expect(withRoot(single, { mode: "any", children: [title("a")] }).root).toEqual({
      group: { mode: "any", children: [title("a")] },
    });
    // A lone group stays nested: the builder must not rearrange itself.
    const nested: Group = { mode: "all", children: [{ group: { mode: "any", children: [] } }] };
    expect(withRoot(single, nested).root).toEqual({ group: nested });
    expect(rootGroup(emptyFilter())).toEqual({ mode: "all", children: [] });
  });

  it("names nodes by their 1-based path", () => {
    expect(pathLabel([1, 0])).toBe("2.1");
    expect(pathLabel([])).toBe("");
  });
});

describe("rules per field kind", () => {
  it("starts each kind with a rule of its own type", () => {
    const today = new Date(2026, 0, 15);
    expect(defaultRule(field("title"))).toEqual({
      type: "text",
      field: "title",
      op: { contains: "" },
    });
    expect(defaultRule(field("genre"))).toMatchObject({ type: "list", quantifier: "any_of" });
    expect(defaultRule(field("year"))).toEqual({ type: "number", field: "year", op: { ge: 2015 } });
    expect(defaultRule(field("duration"))).toEqual({
      type: "duration",
      field: "duration",
      op: { lt: 300_000 },
    });
    expect(defaultRule(field("release"), today)).toEqual({
      type: "date",
      field: "release",
      op: { is: "2026" },
    });
    expect(defaultRule(field("added"))).toEqual({
      type: "date",
      field: "added",
      op: { in_the_last: { amount: 30, unit: "days" } },
    });
    expect(defaultRule(field("explicit"))).toEqual({
      type: "bool",
      field: "explicit",
      value: true,
    });
  });

  it("keeps the operator when the new field is of the same kind, else starts over", () => {
    const live: Rule = { type: "text", field: "title", op: { is: "Live" }, exact: true };
    expect(withField(live, field("album_type"))).toEqual({ ...live, field: "album_type" });
    // Text and list share their operators.
    expect(withField(live, field("genre"))).toEqual({
      type: "list",
      field: "genre",
      quantifier: "any_of",
      op: { is: "Live" },
      exact: true,
    });
    expect(withField(live, field("year"))).toEqual(defaultRule(field("year")));
    expect(withField(live, field("title"))).toBe(live);
    const year: Rule = { type: "number", field: "year", op: { ge: 2015 } };
    expect(withField(year, field("popularity"))).toEqual(defaultRule(field("popularity")));
    const low: Rule = { type: "number", field: "year", op: { in_range: [10, 20] } };
    expect(withField(low, field("popularity"))).toEqual({ ...low, field: "popularity" });
  });

  it("writes exact only when on", () => {
    const rule: Rule = { type: "text", field: "title", op: { is: "x" }, exact: true };
    expect(withExact(rule, false)).toEqual({ type: "text", field: "title", op: { is: "x" } });
    expect(withExact(withExact(rule, false), true)).toEqual(rule);
  });
});

describe("operators", () => {
  it("carries a text value from one operator to the next", () => {
    expect(TEXT_OPERATORS.map((o) => o.key)).toContain("is_one_of");
    expect(changeTextOp({ contains: "rock" }, "starts_with")).toEqual({ starts_with: "rock" });
    expect(changeTextOp({ is: "rock" }, "is_one_of")).toEqual({ is_one_of: ["rock"] });
    expect(changeTextOp({ is_one_of: ["a", "b"] }, "is_not")).toEqual({ is_not: "a" });
    expect(changeTextOp({ is_one_of: [] }, "matches")).toEqual({ matches: "" });
    expect(makeTextOp("is_one_of", "a, b,, c ")).toEqual({ is_one_of: ["a", "b", "c"] });
    expect(textOpKey({ does_not_contain: "x" })).toBe("does_not_contain");
    expect(textOpValue({ is_one_of: ["x"] })).toEqual(["x"]);
    expect(splitValues(" , ")).toEqual([]);
  });

  it("labels comparisons per kind and keeps values across range changes", () => {
    expect(compareOperators("duration").find((o) => o.key === "lt")?.label).toBe("is shorter than");
    expect(compareOperators("number").find((o) => o.key === "lt")?.label).toBe("is less than");
    expect(changeCompareOp({ ge: 5 }, "in_range")).toEqual({ in_range: [5, 5] });
    expect(changeCompareOp({ not_in_range: [1, 9] }, "in_range")).toEqual({ in_range: [1, 9] });
    expect(changeCompareOp({ in_range: [1, 9] }, "ne")).toEqual({ ne: 1 });
    expect(compareParts({ le: 3 })).toEqual({ key: "le", values: [3] });
  });

  it("switches dates between absolute and relative with sensible values", () => {
    const today = new Date(2026, 5, 1);
    expect(changeDateOp({ is: "2015-06" }, "before")).toEqual({ before: "2015-06" });
    expect(changeDateOp({ is: "2015" }, "in_range")).toEqual({ in_range: ["2015", "2015"] });
    expect(changeDateOp({ in_range: ["2015", "2020"] }, "after")).toEqual({ after: "2015" });
    expect(changeDateOp({ is: "2015" }, "in_the_last")).toEqual({
      in_the_last: { amount: 30, unit: "days" },
    });
    const span = { amount: 2, unit: "weeks" } as const;
    expect(changeDateOp({ in_the_last: span }, "not_in_the_last")).toEqual({
      not_in_the_last: span,
    });
    expect(changeDateOp({ in_the_last: span }, "is", today)).toEqual({ is: "2026" });
  });
});

describe("values", () => {
  it("reads and writes durations as the query language does", () => {
    expect(formatDuration(270_000)).toBe("4:30");
    expect(formatDuration(3_723_000)).toBe("1:02:03");
    expect(formatDuration(5_250)).toBe("0:05.250");
    expect(parseDuration("4:30")).toBe(270_000);
    expect(parseDuration(" 1:02:03 ")).toBe(3_723_000);
    expect(parseDuration("4:30.5")).toBe(270_500);
    expect(parseDuration("270")).toBe(270_000);
    expect(parseDuration("4m30s")).toBe(270_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    for (const bad of ["", "4:", "4:7", "4:60", "1:60:00", "abc", "4:30.1234", "s"]) {
      expect(parseDuration(bad), bad).toBeNull();
    }
    for (const ms of [0, 999, 61_000, 3_600_000, 5_025_125]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });

  it("accepts real partial dates only", () => {
    for (const ok of ["2015", "2015-06", "2016-02-29", "0000"]) {
      expect(isPartialDate(ok), ok).toBe(true);
    }
    for (const bad of ["15", "2015-6", "2015-13", "2015-02-29", "2015-06-31", "2015-00", ""]) {
      expect(isPartialDate(bad), bad).toBe(false);
    }
  });

  it("reads whole numbers and counts", () => {
    expect(parseWholeNumber(" 2015 ")).toBe(2015);
    expect(parseWholeNumber("-3")).toBe(-3);
    expect(parseWholeNumber("1.5")).toBeNull();
    expect(parseWholeNumber("1e3")).toBeNull();
    expect(parseCount("0")).toBeNull();
    expect(parseCount("0", 0)).toBe(0);
    expect(parseCount("50")).toBe(50);
  });

  it("shows whole years of months as years", () => {
    expect(displaySpan({ amount: 24, unit: "months" })).toEqual({ amount: 2, unit: "years" });
    expect(displaySpan({ amount: 5, unit: "months" })).toEqual({ amount: 5, unit: "months" });
    expect(toSpan(2, "years")).toEqual({ amount: 24, unit: "months" });
    expect(toSpan(3, "weeks")).toEqual({ amount: 3, unit: "weeks" });
  });
});

describe("steps and comparing filters", () => {
  it("spells out absent steps and leaves defaults out when writing back", () => {
    const bare = emptyFilter();
    const steps = stepsOf(bare);
    expect(steps).toEqual({ dedupe: null, order: "base_order", per_artist: null, limit: null });
    expect(withSteps(bare, steps)).toEqual(bare);
    const limited = withSteps(bare, { ...steps, limit: { tracks: 50 }, order: "random" });
    expect(limited.post).toEqual({ order: "random", limit: { tracks: 50 } });
    expect(stepsOf(limited).limit).toEqual({ tracks: 50 });
    expect(withSteps(limited, steps)).toEqual(bare);
  });

  it("treats written-out defaults and key order as the same filter", () => {
    const a: Filter = {
      root: { rule: { type: "text", field: "title", op: { is: "x" }, exact: false } },
      post: { order: "base_order", dedupe: null },
    };
    const b: Filter = { root: { rule: { op: { is: "x" }, field: "title", type: "text" } } };
    expect(sameFilter(a, b)).toBe(true);
    expect(sameFilter(a, { root: title("x") })).toBe(false);
  });
});

describe("empty ranges", () => {
  it("finds a date range that starts after it ends, at the precision both dates have", () => {
    expect(datesReversed("2020", "2010")).toBe(true);
    expect(datesReversed("2016", "2015-12")).toBe(true);
    expect(datesReversed("2015-07", "2015-06-30")).toBe(true);
    expect(datesReversed("2015-06", "2015")).toBe(false);
    expect(datesReversed("2015", "2015-06")).toBe(false);
    expect(datesReversed("2010", "2020")).toBe(false);
    expect(datesReversed("2015-06-01", "2015-06-01")).toBe(false);
  });
});
