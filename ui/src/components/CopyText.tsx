import { useEffect, useState } from "react";

type CopyTextProps = {
  value: string;
  /** What the value is, for the button's accessible name ("Copy the sign-in link"). */
  label: string;
  testId?: string | undefined;
};

type CopyState = "idle" | "copied" | "failed";

/** A value people paste elsewhere (a redirect URI, a sign-in link): selectable, with a button. */
export function CopyText({ value, label, testId }: CopyTextProps) {
  const [state, setState] = useState<CopyState>("idle");

  useEffect(() => {
    if (state === "idle") {
      return;
    }
    const timer = setTimeout(() => setState("idle"), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      // Missing outside a secure context and in tests; then the text is still selectable.
      if (navigator.clipboard === undefined) {
        throw new Error("no clipboard");
      }
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      setState("failed");
    }
  }

  return (
    <div className="copy-text">
      <code className="copy-text__value path" data-testid={testId}>
        {value}
      </code>
      <button
        type="button"
        className="button button--small"
        onClick={copy}
        aria-label={`Copy ${label}`}
      >
        {state === "copied" ? "Copied" : state === "failed" ? "Select to copy" : "Copy"}
      </button>
    </div>
  );
}
