import { describe, expect, it } from "vitest";
import { entry, NOW_MS, NOW_S } from "../test/fakeSync";
import { entryDurationMs, formatDuration, formatPercent, isoTime, relativeTime } from "./format";

describe("formatDuration", () => {
  it("reads as seconds, minutes or hours", () => {
    expect(formatDuration(400)).toBe("0.4 s");
    expect(formatDuration(12_340)).toBe("12.3 s");
    expect(formatDuration(185_000)).toBe("3 min 5 s");
    expect(formatDuration(3_720_000)).toBe("1 h 2 min");
    expect(formatDuration(-1)).toBe("—");
  });

  it("takes a sync's own figure, else its start and end, else none", () => {
    expect(entryDurationMs(entry())).toBe(1_200);
    expect(entryDurationMs(entry({ summary: null }))).toBe(1_000);
    expect(entryDurationMs(entry({ summary: null, finished_at: null }))).toBeNull();
  });
});

describe("formatPercent", () => {
  it("rounds a rate to a whole percentage within 0–100", () => {
    expect(formatPercent(0.854)).toBe("85%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(1.2)).toBe("100%");
    expect(formatPercent(Number.NaN)).toBe("—");
  });
});

describe("relativeTime", () => {
  it("says how long ago, or how soon, in words", () => {
    expect(relativeTime(NOW_S - 10, NOW_MS)).toBe("just now");
    expect(relativeTime(NOW_S + 10, NOW_MS)).toBe("in less than a minute");
    expect(relativeTime(NOW_S - 5 * 60, NOW_MS)).toBe("5 minutes ago");
    expect(relativeTime(NOW_S + 30 * 60, NOW_MS)).toBe("in 30 minutes");
    expect(relativeTime(NOW_S - 3 * 3600, NOW_MS)).toBe("3 hours ago");
    expect(relativeTime(NOW_S - 86_400, NOW_MS)).toBe("yesterday");
    expect(relativeTime(NOW_S - 14 * 86_400, NOW_MS)).toBe("2 weeks ago");
  });

  it("gives a date for anything older than a few weeks", () => {
    expect(relativeTime(NOW_S - 400 * 86_400, NOW_MS)).toMatch(/2025/);
  });

  it("writes machine-readable times in UTC", () => {
    expect(isoTime(NOW_S)).toBe("2026-03-01T12:00:00.000Z");
  });
});
