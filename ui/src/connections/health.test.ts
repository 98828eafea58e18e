import { describe, expect, it } from "vitest";
import { rateLimitedLabel } from "./health";

describe("rateLimitedLabel", () => {
  it("shows only the time for today, and the date otherwise", () => {
    const now = new Date(2026, 10, 23, 12, 0, 0);
    const later = new Date(2026, 10, 23, 15, 42, 0);
    const tomorrow = new Date(2026, 10, 24, 9, 5, 0);
    const time = (d: Date) =>
      d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    expect(rateLimitedLabel(later.getTime() / 1000, now)).toBe(`Rate-limited until ${time(later)}`);
    const withDate = rateLimitedLabel(tomorrow.getTime() / 1000, now);
    expect(withDate).toContain(time(tomorrow));
    expect(withDate).not.toBe(`Rate-limited until ${time(tomorrow)}`);
  });
});
