// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ChangePassword } from "./ChangePassword";

afterEach(() => {
  cleanup();
});

function type(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("ChangePassword", () => {
  it("changes the password and says how many devices were signed out", async () => {
    const changePassword = vi.fn(async () => ({ ok: true as const, value: 2 }));
    render(<ChangePassword api={{ changePassword }} />);
    fireEvent.click(screen.getByRole("button", { name: "Change account password…" }));
    const submit = screen.getByRole("button", { name: "Change password" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    type("Current password", "the old password");
    type("New password", "short");
    expect(screen.getByRole("alert").textContent).toContain("At least 10 characters");
    type("New password", "a much better password");
    type("New password again", "a much better passwor");
    expect(screen.getByRole("alert").textContent).toContain("differ");
    expect(submit.disabled).toBe(true);
    type("New password again", "a much better password");
    expect(submit.disabled).toBe(false);
    fireEvent.click(submit);
    expect((await screen.findByRole("status")).textContent).toContain(
      "2 other device(s) signed out",
    );
    expect(changePassword).toHaveBeenCalledWith("the old password", "a much better password");
    // The form closes and forgets what was typed.
    expect(screen.queryByLabelText("Current password")).toBeNull();
  });

  it("shows the server's refusal and keeps the form open", async () => {
    const changePassword = vi.fn(async () => ({
      ok: false as const,
      message: "the email or password is wrong",
    }));
    render(<ChangePassword api={{ changePassword }} />);
    fireEvent.click(screen.getByRole("button", { name: "Change account password…" }));
    type("Current password", "not it");
    type("New password", "a much better password");
    type("New password again", "a much better password");
    fireEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect((await screen.findByRole("alert")).textContent).toContain("wrong");
    expect(screen.getByLabelText("Current password")).toBeTruthy();
  });
});
