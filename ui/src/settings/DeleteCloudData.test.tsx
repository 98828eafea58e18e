// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createCloudApi } from "../api/cloud";
import { fakeShell } from "../test/fakeConnections";
import { DeleteCloudData } from "./DeleteCloudData";

afterEach(() => {
  cleanup();
});

function type(label: string, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("DeleteCloudData", () => {
  it("asks for the password, says clearly when it is wrong, and deletes with the right one", async () => {
    const shell = fakeShell({
      cloud_delete_data: (args) =>
        (args as { password: string }).password === "the right password"
          ? null
          : Promise.reject({
              message: "the cloud refused: the password is wrong [invalid_credentials]",
              code: "wrong_password",
            }),
    });
    const onDeleted = vi.fn();
    render(<DeleteCloudData api={createCloudApi(shell.bridge)} onDeleted={onDeleted} />);
    const submit = screen.getByRole("button", { name: "Delete cloud data" }) as HTMLButtonElement;
    type("Delete the cloud copy (type delete)", "delete");
    // Typing delete is not enough: the password is part of the confirmation.
    expect(submit.disabled).toBe(true);
    type("Account password", "a guess");
    expect(submit.disabled).toBe(false);
    fireEvent.click(submit);
    expect((await screen.findByRole("alert")).textContent).toBe(
      "That is not the account's password. Nothing was deleted; try again.",
    );
    expect(onDeleted).not.toHaveBeenCalled();

    type("Account password", "the right password");
    fireEvent.click(submit);
    await waitFor(() => expect(onDeleted).toHaveBeenCalledTimes(1));
    expect(screen.queryByRole("alert")).toBeNull();
    const calls = shell.calls.filter((c) => c.command === "cloud_delete_data");
    expect(calls.map((c) => c.args)).toEqual([
      { confirm: "delete", password: "a guess" },
      { confirm: "delete", password: "the right password" },
    ]);
    // What was typed is forgotten once done.
    expect((screen.getByLabelText("Account password") as HTMLInputElement).value).toBe("");
  });

  it("says what to do when the server asks for the password", async () => {
    const deleteData = vi.fn(async () => ({
      ok: false as const,
      message: "deleting all cloud data needs the account's password",
      code: "password_required" as const,
    }));
    render(<DeleteCloudData api={{ deleteData }} onDeleted={() => {}} />);
    type("Delete the cloud copy (type delete)", "delete");
    type("Account password", "x");
    fireEvent.click(screen.getByRole("button", { name: "Delete cloud data" }));
    expect((await screen.findByRole("alert")).textContent).toContain(
      "Enter the account's password to confirm",
    );
  });
});
