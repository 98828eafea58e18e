import { describe, expect, it } from "vitest";
import { MIRROR_MODES, ROUTING_MODES, STAGES, SYNC_STATUSES, THEMES } from "./api/enums";
import {
  MIRROR_MODE_LABELS,
  ROUTING_MODE_LABELS,
  STAGE_LABELS,
  stageLabel,
  statusLook,
  THEME_LABELS,
} from "./labels";

describe("statusLook", () => {
  it("names every status in words, with a glyph besides the colour", () => {
    expect(statusLook("completed")).toEqual({ label: "Completed", glyph: "✓", tone: "ok" });
    expect(statusLook("failed").label).toBe("Failed");
    expect(statusLook("cancelled").label).toBe("Cancelled");
    expect(statusLook("in_progress").label).toBe("In progress");
  });
});

describe("labels", () => {
  it("have words for every value of every enum", () => {
    for (const status of SYNC_STATUSES) {
      expect(statusLook(status).label).not.toBe("");
    }
    for (const stage of STAGES) {
      expect(STAGE_LABELS[stage]).not.toBe("");
    }
    for (const mode of ROUTING_MODES) {
      expect(ROUTING_MODE_LABELS[mode]).not.toBe("");
    }
    for (const mode of MIRROR_MODES) {
      expect(MIRROR_MODE_LABELS[mode].choice).not.toBe("");
    }
    for (const theme of THEMES) {
      expect(THEME_LABELS[theme]).not.toBe("");
    }
  });

  it("take a stage's words from its event, or give their own", () => {
    expect(stageLabel({ stage: "writing", label: "Writing 3 children" })).toBe(
      "Writing 3 children",
    );
    expect(stageLabel({ stage: "enriching", label: "" })).toBe("Looking up metadata");
  });
});
