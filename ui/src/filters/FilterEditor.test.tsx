// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FiltersApi } from "../api/filters";
import type { Filter } from "../bindings/Filter";
import type { Rule } from "../bindings/Rule";
import { FilterEditor, type FilterValue, type QueryStatus } from "./FilterEditor";
import { FIELDS, fakeFilters, queryError } from "./fakeFilters";
import { emptyFilter } from "./model";

afterEach(() => {
  cleanup();
});

const genreRock: Filter = {
  root: {
    rule: { type: "list", field: "genre", quantifier: "any_of", op: { contains: "rock" } },
  },
};

/** The editor held by a parent that keeps what it is given, as a page would. */
function setup(
  options: {
    initial?: FilterValue;
    api?: FiltersApi;
    fields?: typeof FIELDS | undefined;
    availability?: Parameters<typeof FilterEditor>[0]["availability"];
  } = {},
) {
  const fake = fakeFilters({ known: { "genre:rock": genreRock } });
  const api = options.api ?? fake.api;
  const onChange = vi.fn<(value: FilterValue) => void>();
  const statuses: QueryStatus["kind"][] = [];
  function Page() {
    const [value, setValue] = useState<FilterValue>(
      options.initial ?? { query: "", filter: emptyFilter() },
    );
    return (
      <FilterEditor
        value={value}
        onChange={(next) => {
          onChange(next);
          setValue(next);
        }}
        onStatusChange={(status) => statuses.push(status.kind)}
        api={api}
        fields={"fields" in options ? options.fields : FIELDS}
        availability={options.availability}
        debounceMs={0}
      />
    );
  }
  render(<Page />);
  const lastValue = () => last(onChange.mock.calls)?.[0];
  return { fake, onChange, lastValue, statuses };
}

function rule(label: string) {
  return screen.getByRole("group", { name: new RegExp(`^Rule ${label}:`) });
}

function optionLabels(select: HTMLElement): string[] {
  return Array.from((select as HTMLSelectElement).options).map((o) => o.textContent ?? "");
}

function textBox() {
  return screen.getByRole("textbox", { name: "Query" }) as HTMLTextAreaElement;
}

describe("FilterEditor", () => {
  it("shows the rules, the steps and the query, each control named", async () => {
    const fake = fakeFilters();
    setup({ api: fake.api, fields: undefined });
    // Without a catalogue from the page, it asks the shell for one.
    expect(await screen.findByRole("group", { name: "Rules" })).toBeTruthy();
    expect(fake.calls("filter_fields")).toHaveLength(1);
    expect(screen.getByText("No rules yet: every track matches.")).toBeTruthy();
    expect(screen.getByRole("group", { name: "After matching" })).toBeTruthy();
    expect(screen.getByRole("combobox", { name: "Match" })).toBeTruthy();
    expect(textBox().value).toBe("");
  });

  it("adds a rule, writes it as text and hands the pair to the page", async () => {
    const { fake, lastValue } = setup();
    fireEvent.click(screen.getByRole("button", { name: "Add a rule" }));
    const first = rule("1");
    const field = within(first).getByRole("combobox", { name: "Field" }) as HTMLSelectElement;
    expect(field.value).toBe("title");
    // The new rule's field list has the keyboard focus.
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(optionLabels(within(first).getByRole("combobox", { name: "Operator" }))).toContain(
      "does not contain",
    );

    fireEvent.change(within(first).getByRole("textbox", { name: "Value" }), {
      target: { value: "live" },
    });
    await waitFor(() => expect(lastValue()?.filter.root).toEqual(ruleNode("live")));
    expect(textBox().value).toBe('title:contains="live"');
    expect(lastValue()?.query).toBe('title:contains="live"');
    // Every builder change was written, then read back.
    expect(fake.calls("format_query").length).toBeGreaterThanOrEqual(2);
    expect(last(fake.calls("parse_query"))).toEqual({ text: 'title:contains="live"' });
  });

  it("offers the operators and inputs of the chosen field's kind", async () => {
    setup({ initial: { query: "", filter: { root: ruleNode("x") } } });
    const field = () => within(rule("1")).getByRole("combobox", { name: "Field" });
    const operator = () => within(rule("1")).getByRole("combobox", { name: "Operator" });
    expect(optionLabels(operator())).toContain("starts with");

    fireEvent.change(field(), { target: { value: "year" } });
    expect(optionLabels(operator())).toEqual([
      "is",
      "is not",
      "is less than",
      "is at most",
      "is more than",
      "is at least",
      "is between",
      "is not between",
    ]);
    fireEvent.change(operator(), { target: { value: "in_range" } });
    expect(within(rule("1")).getByRole("textbox", { name: "From" })).toBeTruthy();
    expect(within(rule("1")).getByRole("textbox", { name: "To" })).toBeTruthy();

    fireEvent.change(field(), { target: { value: "duration" } });
    expect(optionLabels(operator())).toContain("is shorter than");

    fireEvent.change(field(), { target: { value: "explicit" } });
    expect(optionLabels(operator())).toEqual(["is yes", "is no"]);

    fireEvent.change(field(), { target: { value: "artist" } });
    expect(
      optionLabels(within(rule("1")).getByRole("combobox", { name: "Which elements" })),
    ).toEqual(["any artist", "every artist", "no artist"]);

    fireEvent.change(field(), { target: { value: "release" } });
    expect(optionLabels(operator())).toContain("is in the last");
    fireEvent.change(operator(), { target: { value: "in_the_last" } });
    const unit = within(rule("1")).getByRole("combobox", { name: "Unit" }) as HTMLSelectElement;
    expect(unit.value).toBe("days");
    fireEvent.change(unit, { target: { value: "years" } });
    fireEvent.change(within(rule("1")).getByRole("textbox", { name: "Amount" }), {
      target: { value: "2" },
    });
    await waitFor(() =>
      expect(screen.getByTestId("query-text")).toHaveProperty(
        "value",
        'release:in_the_last={"amount":24,"unit":"months"}',
      ),
    );
    expect(unit.value).toBe("years");
  });

  it("keeps a half-typed duration out of the filter and says what it expects", async () => {
    const { lastValue } = setup();
    fireEvent.click(screen.getByRole("button", { name: "Add a rule" }));
    fireEvent.change(within(rule("1")).getByRole("combobox", { name: "Field" }), {
      target: { value: "duration" },
    });
    const value = within(rule("1")).getByRole("textbox", { name: "Value" });
    expect((value as HTMLInputElement).value).toBe("5:00");
    fireEvent.change(value, { target: { value: "4:" } });
    expect(value.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Write a length like 4:30 or 1:02:03.")).toBeTruthy();
    fireEvent.change(value, { target: { value: "4:30" } });
    expect(value.getAttribute("aria-invalid")).toBe("false");
    await waitFor(() =>
      expect(lastValue()?.filter.root).toEqual({
        rule: { type: "duration", field: "duration", op: { lt: 270_000 } },
      }),
    );
  });

  it("nests groups, each a fieldset with its own mode", async () => {
    const { lastValue } = setup();
    fireEvent.click(screen.getByRole("button", { name: "Add a rule" }));
    fireEvent.click(screen.getByRole("button", { name: "Add a group" }));
    const group = screen.getByRole("group", { name: "Group 2" });
    const mode = within(group).getByRole("combobox", { name: "Match" }) as HTMLSelectElement;
    expect(mode.value).toBe("any");
    await waitFor(() => expect(document.activeElement).toBe(mode));
    fireEvent.click(within(group).getByRole("button", { name: "Add a rule to group 2" }));
    fireEvent.change(mode, { target: { value: "none" } });
    await waitFor(() =>
      expect(lastValue()?.filter.root).toEqual({
        group: {
          mode: "all",
          children: [
            ruleNode(""),
            { group: { mode: "none", children: [ruleNode(""), ruleNode("")] } },
          ],
        },
      }),
    );
    expect(within(group).getAllByRole("group", { name: /^Rule 2\.\d:/ })).toHaveLength(2);
    expect(textBox().value).toBe(
      'ALL(title:contains="" NONE(title:contains="" title:contains=""))',
    );
  });

  it("moves and removes rules, keeping the keyboard focus on the moved rule", async () => {
    const initial: Filter = {
      root: { group: { mode: "any", children: [ruleNode("a"), ruleNode("b"), ruleNode("c")] } },
    };
    const { lastValue } = setup({ initial: { query: "", filter: initial } });
    fireEvent.click(screen.getByRole("button", { name: "Move rule 1 down" }));
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole("button", { name: "Move rule 2 down" })),
    );
    expect(ruleValue("1")).toBe("b");
    expect(ruleValue("2")).toBe("a");
    // At the bottom its "down" is disabled, so the focus goes to "up".
    fireEvent.click(screen.getByRole("button", { name: "Move rule 2 down" }));
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole("button", { name: "Move rule 3 up" })),
    );
    expect(
      (screen.getByRole("button", { name: "Move rule 3 down" }) as HTMLButtonElement).disabled,
    ).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Remove rule 1" }));
    await waitFor(() =>
      expect(lastValue()?.filter.root).toEqual({
        group: { mode: "any", children: [ruleNode("c"), ruleNode("a")] },
      }),
    );
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Remove rule 1" }));
  });

  it("follows the text when it reads as a query", async () => {
    const { fake, lastValue } = setup();
    fireEvent.change(textBox(), { target: { value: "genre:rock" } });
    await waitFor(() => expect(screen.queryByRole("group", { name: /^Rule 1:/ })).toBeTruthy());
    expect(fake.calls("parse_query")).toEqual([{ text: "genre:rock" }]);
    const first = rule("1");
    expect(
      (within(first).getByRole("combobox", { name: "Field" }) as HTMLSelectElement).value,
    ).toBe("genre");
    expect((within(first).getByRole("textbox", { name: "Value" }) as HTMLInputElement).value).toBe(
      "rock",
    );
    // The text stays as typed; the page gets it with the filter it reads as.
    expect(lastValue()).toEqual({ query: "genre:rock", filter: genreRock });
    expect(textBox().value).toBe("genre:rock");
  });

  it("shows where the text fails to read and keeps the rules as they were", async () => {
    const fake = fakeFilters({
      known: { "genre:rock": genreRock },
      errors: { "genre:rock gnre:pop": queryError(12, "unknown field 'gnre'", "genre") },
    });
    const { onChange, statuses } = setup({
      api: fake.api,
      initial: { query: "genre:rock", filter: genreRock },
    });
    fireEvent.change(textBox(), { target: { value: "genre:rock gnre:pop" } });
    const error = await screen.findByTestId("query-error");
    expect(error.textContent).toContain(
      "Unknown field 'gnre' at column 12 — did you mean “genre”?",
    );
    expect(screen.getByTestId("query-caret").textContent).toBe(
      `genre:rock gnre:pop\n${" ".repeat(11)}^`,
    );
    expect(textBox().getAttribute("aria-invalid")).toBe("true");
    expect(last(statuses)).toBe("invalid");
    expect(onChange).not.toHaveBeenCalled();
    // The builder still shows the last rules that read.
    expect(
      (within(rule("1")).getByRole("textbox", { name: "Value" }) as HTMLInputElement).value,
    ).toBe("rock");
    // "Go to column" puts the cursor at the error.
    fireEvent.click(within(error).getByRole("button", { name: "Go to column 12" }));
    expect(document.activeElement).toBe(textBox());
    expect(textBox().selectionStart).toBe(11);

    fireEvent.change(textBox(), { target: { value: "genre:rock" } });
    await waitFor(() => expect(screen.queryByTestId("query-error")).toBeNull());
    expect(last(statuses)).toBe("ok");
  });

  it("says under a range that starts after it ends that nothing can match it", () => {
    const reversed = (op: Rule) => ({
      query: "",
      filter: { root: { group: { mode: "all" as const, children: [{ rule: op }] } } },
    });
    setup({
      initial: reversed({ type: "number", field: "year", op: { in_range: [2020, 2010] } }),
    });
    const hint = "This range starts after it ends, so no track can match it";
    expect(within(rule("1")).getByRole("note").textContent).toContain(hint);
    cleanup();
    setup({
      initial: reversed({ type: "date", field: "release", op: { in_range: ["2016", "2015-12"] } }),
    });
    expect(within(rule("1")).getByRole("note").textContent).toContain(hint);
    cleanup();
    // In order, or within one coarse date, there is nothing to say.
    setup({
      initial: reversed({ type: "date", field: "release", op: { in_range: ["2015-06", "2015"] } }),
    });
    expect(within(rule("1")).queryByRole("note")).toBeNull();
  });

  it("shows the app's refusal of a range that cannot match at its column", async () => {
    const fake = fakeFilters({
      known: { "genre:rock": genreRock },
      errors: {
        "year:5..1": {
          column: 6,
          kind: "invalid_value",
          message: "the range 5..1 of 'year' is empty: it starts after it ends",
          expected: "a range from the smaller value to the larger",
          suggestion: "year:1..5",
        },
      },
    });
    setup({ api: fake.api, initial: { query: "genre:rock", filter: genreRock } });
    fireEvent.change(textBox(), { target: { value: "year:5..1" } });
    const error = await screen.findByTestId("query-error");
    expect(error.textContent).toContain("is empty: it starts after it ends at column 6");
    expect(error.textContent).toContain("year:1..5");
    expect(screen.getByTestId("query-caret").textContent).toBe(`year:5..1\n${" ".repeat(5)}^`);
  });

  it("drops the answer to an edit that a later one overtook", async () => {
    const fake = fakeFilters({ known: { "genre:rock": genreRock } });
    let release: () => void = () => {};
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const parse = fake.shell.handlers.parse_query;
    fake.shell.handlers.parse_query = async (args) => {
      if (args.text === "genre:ro") {
        await slow;
      }
      return parse?.(args);
    };
    const { lastValue } = setup({ api: fake.api });
    fireEvent.change(textBox(), { target: { value: "genre:ro" } });
    await waitFor(() => expect(fake.calls("parse_query")).toHaveLength(1));
    fireEvent.change(textBox(), { target: { value: "genre:rock" } });
    await waitFor(() => expect(lastValue()?.query).toBe("genre:rock"));
    await act(async () => {
      release();
      await slow;
    });
    expect(lastValue()?.query).toBe("genre:rock");
    expect(screen.queryByTestId("query-error")).toBeNull();
  });

  it("edits the steps after matching", async () => {
    const { lastValue } = setup();
    fireEvent.click(screen.getByRole("checkbox", { name: "Keep each track once" }));
    fireEvent.click(
      screen.getByRole("checkbox", { name: "also the same recording under another id (ISRC)" }),
    );
    fireEvent.change(screen.getByRole("combobox", { name: "Order" }), {
      target: { value: "most_recently_added" },
    });
    fireEvent.click(screen.getByRole("checkbox", { name: "At most" }));
    fireEvent.change(screen.getByRole("combobox", { name: "Limit" }), {
      target: { value: "duration" },
    });
    fireEvent.change(screen.getByRole("textbox", { name: "Total length" }), {
      target: { value: "1:30:00" },
    });
    await waitFor(() =>
      expect(lastValue()?.filter.post).toEqual({
        dedupe: { isrc: true, title_artist: false },
        order: "most_recently_added",
        per_artist: 2,
        limit: { duration: 5_400_000 },
      }),
    );
    fireEvent.change(screen.getByRole("combobox", { name: "Limit" }), {
      target: { value: "tracks" },
    });
    fireEvent.change(screen.getByRole("textbox", { name: "Number of tracks" }), {
      target: { value: "25" },
    });
    await waitFor(() => expect(lastValue()?.filter.post?.limit).toEqual({ tracks: 25 }));
  });

  it("collects 'is one of' values as chips", async () => {
    const { lastValue } = setup({ initial: { query: "", filter: { root: ruleNode("x") } } });
    fireEvent.change(within(rule("1")).getByRole("combobox", { name: "Operator" }), {
      target: { value: "is_one_of" },
    });
    const add = within(rule("1")).getByRole("textbox", { name: "Add to values" });
    fireEvent.change(add, { target: { value: "live, demo," } });
    fireEvent.change(add, { target: { value: "acoustic" } });
    fireEvent.keyDown(add, { key: "Enter" });
    await waitFor(() =>
      expect(lastValue()?.filter.root).toEqual({
        rule: {
          type: "text",
          field: "title",
          op: { is_one_of: ["x", "live", "demo", "acoustic"] },
        },
      }),
    );
    fireEvent.click(within(rule("1")).getByRole("button", { name: "Remove demo" }));
    fireEvent.keyDown(add, { key: "Backspace" });
    await waitFor(() =>
      expect(lastValue()?.filter.root).toEqual({
        rule: { type: "text", field: "title", op: { is_one_of: ["x", "live"] } },
      }),
    );
  });

  it("marks fields the connection cannot provide", () => {
    setup({
      initial: {
        query: "",
        filter: {
          root: { rule: { type: "number", field: "popularity", op: { ge: 50 } } },
        },
      },
      availability: {
        popularity: { state: "unavailable", reason: "Spotify no longer sends it" },
        genre: { state: "not_yet_known" },
      },
    });
    const field = within(rule("1")).getByRole("combobox", { name: "Field" });
    expect(optionLabels(field)).toContain("Popularity (not available)");
    expect(optionLabels(field)).toContain("Genres (may be unknown)");
    expect(screen.getByTestId("rule-note").textContent).toContain("Spotify no longer sends it");
    expect(rule("1").getAttribute("aria-describedby")).toBe(
      screen.getByTestId("rule-note").getAttribute("id"),
    );
    expect(optionLabels(screen.getByRole("combobox", { name: "Order" }))).toContain(
      "Most popular first (not available)",
    );
  });

  it("takes a new value from the page in place of the one being edited", async () => {
    const fake = fakeFilters({ known: { "genre:rock": genreRock } });
    function Switcher() {
      const [value, setValue] = useState<FilterValue>({ query: "", filter: emptyFilter() });
      return (
        <>
          <button
            type="button"
            onClick={() => setValue({ query: "genre:rock", filter: genreRock })}
          >
            Open another
          </button>
          <FilterEditor
            value={value}
            onChange={setValue}
            api={fake.api}
            fields={FIELDS}
            debounceMs={0}
          />
        </>
      );
    }
    render(<Switcher />);
    fireEvent.change(textBox(), { target: { value: "nonsense" } });
    await screen.findByTestId("query-error");
    fireEvent.click(screen.getByRole("button", { name: "Open another" }));
    await waitFor(() => expect(textBox().value).toBe("genre:rock"));
    expect(screen.queryByTestId("query-error")).toBeNull();
    expect(ruleValue("1")).toBe("rock");
  });

  it("can be used with the keyboard alone: every control is named and reachable", async () => {
    setup({
      initial: {
        query: "",
        filter: {
          root: {
            group: {
              mode: "all",
              children: [
                ruleNode("a"),
                { group: { mode: "any", children: [ruleNode("b")] } },
                { rule: { type: "date", field: "release", op: { in_range: ["2015", "2020"] } } },
              ],
            },
          },
          post: { limit: { tracks: 10 } },
        },
      },
    });
    const editor = screen.getByTestId("filter-editor");
    const controls = Array.from(
      editor.querySelectorAll<HTMLElement>("button, input, select, textarea"),
    );
    expect(controls.length).toBeGreaterThan(25);
    for (const control of controls) {
      // Native controls, in the tab order, each with an accessible name.
      expect(control.tabIndex, control.outerHTML).toBe(0);
      const name =
        control.getAttribute("aria-label") ??
        (control.id === ""
          ? null
          : editor.querySelector(`label[for="${control.id}"]`)?.textContent);
      expect(name, control.outerHTML).toBeTruthy();
    }
    // Groups are fieldsets named by their legends.
    for (const fieldset of Array.from(editor.querySelectorAll("fieldset"))) {
      expect(fieldset.querySelector(":scope > legend")?.textContent).toBeTruthy();
    }
  });

  it("says so when the fields cannot be listed, and the query still works", async () => {
    const fake = fakeFilters({ known: { "genre:rock": genreRock } });
    fake.shell.handlers.filter_fields = () => Promise.reject({ message: "The app is updating." });
    const { lastValue } = setup({ api: fake.api, fields: undefined });
    expect((await screen.findByRole("alert")).textContent).toContain("The app is updating.");
    fireEvent.change(textBox(), { target: { value: "genre:rock" } });
    await waitFor(() => expect(lastValue()?.filter).toEqual(genreRock));
  });
});

function ruleNode(value: string) {
  return { rule: { type: "text", field: "title", op: { contains: value } } } as const;
}

function ruleValue(label: string): string {
  return (within(rule(label)).getByRole("textbox", { name: "Value" }) as HTMLInputElement).value;
}

function last<T>(items: readonly T[]): T | undefined {
  return items[items.length - 1];
}
