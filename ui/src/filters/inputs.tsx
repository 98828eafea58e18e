// Value inputs for rules and steps. Typed values (numbers, durations, dates) are edited as text
// and reach the filter only once they read as a value, so a half-typed "4:" never becomes a
// rule; until then the input says what it expects.

import { type KeyboardEvent, useId, useState } from "react";
import { CloseIcon } from "./icons";

type DraftInputProps<T> = {
  value: T;
  format: (value: T) => string;
  /** The value the text stands for, or null while it is not one. */
  parse: (text: string) => T | null;
  onCommit: (value: T) => void;
  /** The accessible name: "Value", "From", "Duration". */
  label: string;
  /** Shown (and announced) while the text is not a value: "Write a length like 4:30". */
  invalidHint: string;
  placeholder?: string | undefined;
  inputMode?: "numeric" | "text" | undefined;
  width?: "narrow" | "medium" | undefined;
  disabled?: boolean | undefined;
};

/**
 * A text input for a typed value. Text that reads as a value is committed at once; other text
 * stays in the input, marked invalid with a hint, and the filter keeps its last value. When the
 * value changes from outside (the query text, a moved rule), the input shows the new value.
 */
export function DraftInput<T>({
  value,
  format,
  parse,
  onCommit,
  label,
  invalidHint,
  placeholder,
  inputMode = "text",
  width = "medium",
  disabled = false,
}: DraftInputProps<T>) {
  const hintId = useId();
  const [text, setText] = useState(() => format(value));
  const [shown, setShown] = useState(value);
  // Adjusting state to a new prop during render (React's documented pattern): keep the text
  // as typed when it already stands for the new value ("04:30" for 4:30), else show the value.
  if (!Object.is(shown, value) && format(shown) !== format(value)) {
    setShown(value);
    const typed = parse(text);
    if (typed === null || format(typed) !== format(value)) {
      setText(format(value));
    }
  }
  const invalid = parse(text) === null;
  return (
    <span className="value-input">
      <input
        className={`input input--mono filter-input filter-input--${width}`}
        aria-label={label}
        aria-invalid={invalid}
        aria-describedby={invalid ? hintId : undefined}
        value={text}
        placeholder={placeholder}
        inputMode={inputMode}
        spellCheck={false}
        autoComplete="off"
        disabled={disabled}
        onChange={(event) => {
          const next = event.target.value;
          setText(next);
          const parsed = parse(next);
          if (parsed !== null) {
            setShown(parsed);
            onCommit(parsed);
          }
        }}
      />
      {invalid ? (
        <span id={hintId} className="value-input__hint">
          {invalidHint}
        </span>
      ) : null}
    </span>
  );
}

type TextValueInputProps = {
  value: string;
  onChange: (value: string) => void;
  label: string;
  placeholder?: string | undefined;
  /** The id of a <datalist> of suggestions. */
  list?: string | undefined;
  mono?: boolean | undefined;
  disabled?: boolean | undefined;
};

export function TextValueInput({
  value,
  onChange,
  label,
  placeholder,
  list,
  mono = false,
  disabled = false,
}: TextValueInputProps) {
  return (
    <input
      className={`input filter-input filter-input--wide${mono ? " input--mono" : ""}`}
      aria-label={label}
      value={value}
      placeholder={placeholder}
      list={list}
      spellCheck={false}
      autoComplete="off"
      disabled={disabled}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

type ValuesInputProps = {
  values: readonly string[];
  onChange: (values: string[]) => void;
  /** The accessible name of the whole list: "Values". */
  label: string;
  placeholder?: string | undefined;
  list?: string | undefined;
  disabled?: boolean | undefined;
};

/**
 * A list of values as removable chips, plus an input that adds one on Enter or a comma (a
 * pasted "a, b, c" adds three). Backspace in the empty input removes the last chip.
 */
export function ValuesInput({
  values,
  onChange,
  label,
  placeholder,
  list,
  disabled = false,
}: ValuesInputProps) {
  const [draft, setDraft] = useState("");
  const labelId = useId();

  function add(text: string) {
    const parts = text
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "" && !values.includes(part));
    if (parts.length > 0) {
      onChange([...values, ...new Set(parts)]);
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      add(draft);
      setDraft("");
    } else if (event.key === "Backspace" && draft === "" && values.length > 0) {
      onChange(values.slice(0, -1));
    }
  }

  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would break the chips' inline flow.
    <div className="chips" role="group" aria-labelledby={labelId}>
      <span id={labelId} className="visually-hidden">
        {label}
      </span>
      {values.length === 0 ? null : (
        <ul className="chips__list">
          {values.map((value, index) => (
            // A set read from a query may repeat a value, so the position tells chips apart.
            // biome-ignore lint/suspicious/noArrayIndexKey: chips are only added at the end.
            <li key={`${index}:${value}`} className="chip">
              <span className="chip__text">{value === "" ? "(empty)" : value}</span>
              <button
                type="button"
                className="chip__remove"
                aria-label={`Remove ${value === "" ? "the empty value" : value}`}
                disabled={disabled}
                onClick={() => onChange(values.filter((_, i) => i !== index))}
              >
                <CloseIcon size={12} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        className="chips__input"
        aria-label={`Add to ${label.toLowerCase()}`}
        value={draft}
        placeholder={values.length === 0 ? placeholder : "add another"}
        list={list}
        spellCheck={false}
        autoComplete="off"
        disabled={disabled}
        onChange={(event) => {
          const text = event.target.value;
          // A pasted or typed comma ends a value; what follows it keeps being typed.
          const cut = text.lastIndexOf(",");
          if (cut >= 0) {
            add(text.slice(0, cut));
            setDraft(text.slice(cut + 1).trimStart());
          } else {
            setDraft(text);
          }
        }}
        onKeyDown={onKeyDown}
        onBlur={() => {
          if (draft.trim() !== "") {
            add(draft);
            setDraft("");
          }
        }}
      />
    </div>
  );
}

type SelectProps<K extends string> = {
  value: K;
  options: ReadonlyArray<{ key: K; label: string; disabled?: boolean }>;
  onChange: (value: K) => void;
  label: string;
  id?: string | undefined;
  disabled?: boolean | undefined;
  className?: string | undefined;
};

/** A native select over typed keys. */
export function Select<K extends string>({
  value,
  options,
  onChange,
  label,
  id,
  disabled = false,
  className,
}: SelectProps<K>) {
  return (
    <select
      id={id}
      className={`select${className === undefined ? "" : ` ${className}`}`}
      aria-label={id === undefined ? label : undefined}
      value={value}
      disabled={disabled}
      onChange={(event) => {
        const option = options.find((o) => o.key === event.target.value);
        if (option !== undefined) {
          onChange(option.key);
        }
      }}
    >
      {options.map((option) => (
        <option key={option.key} value={option.key} disabled={option.disabled}>
          {option.label}
        </option>
      ))}
    </select>
  );
}
