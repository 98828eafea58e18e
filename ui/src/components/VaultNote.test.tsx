// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createConnectionsApi } from "../api/connections";
import { fakeShell, vaultStatus } from "../test/fakeConnections";
import { VaultNote } from "./VaultNote";

afterEach(() => {
  cleanup();
});

const PATH = "/home/ada/.local/share/dev.syncer.Syncer/secrets.vault";

/** A shell whose secrets file is locked, opening with `secret` (and created by the first). */
function lockedShell(fileExists: boolean, secret = "correct horse") {
  let exists = fileExists;
  let open = false;
  const status = () =>
    open
      ? {
          kind: "file",
          description: `an encrypted file, ${PATH}`,
          needs_passphrase: false,
          file_exists: true,
        }
      : {
          kind: "file",
          description: exists
            ? "Your sign-ins are in an encrypted file on this computer: enter its passphrase to use them."
            : "No system keyring is available, so Syncer keeps sign-ins in an encrypted file on this computer: choose its passphrase.",
          needs_passphrase: true,
          file_exists: exists,
        };
  const shell = fakeShell({
    vault_status: status,
    unlock_vault: (args) => {
      if (exists && args.passphrase !== secret) {
        throw {
          message: "That passphrase does not open Syncer's secrets file; try again.",
          code: "invalid",
        };
      }
      exists = true;
      open = true;
      return status();
    },
  });
  return { shell, api: createConnectionsApi(shell.bridge) };
}

function type(testId: string, value: string) {
  fireEvent.change(screen.getByTestId(testId), { target: { value } });
}

describe("VaultNote with no keyring", () => {
  it("has a new passphrase chosen twice, at least 8 characters, then says where sign-ins are", async () => {
    const { api, shell } = lockedShell(false);
    const unlocked = vi.fn();
    render(<VaultNote api={api} onUnlocked={unlocked} />);
    const form = await screen.findByTestId("vault-unlock");
    expect(form.textContent).toContain("Choose a passphrase for your sign-ins");
    expect(form.textContent).toContain("demo library needs no sign-in");
    const submit = screen.getByTestId("vault-unlock-submit") as HTMLButtonElement;
    expect(submit.disabled).toBe(true);

    type("vault-passphrase", "short");
    expect(screen.getByTestId("vault-passphrase").getAttribute("aria-invalid")).toBe("true");
    type("vault-passphrase", "a long passphrase");
    type("vault-passphrase-repeat", "a long passphrasf");
    expect(screen.getByRole("alert").textContent).toContain("differ");
    expect(submit.disabled).toBe(true);
    type("vault-passphrase-repeat", "a long passphrase");
    expect(submit.disabled).toBe(false);
    fireEvent.submit(form);

    expect((await screen.findByTestId("vault-status")).textContent).toContain(PATH);
    expect(screen.queryByTestId("vault-unlock")).toBeNull();
    expect(unlocked).toHaveBeenCalledTimes(1);
    expect(shell.calls.filter((c) => c.command === "unlock_vault")).toEqual([
      { command: "unlock_vault", args: { passphrase: "a long passphrase" } },
    ]);
  });

  it("asks an existing file's passphrase once, and a wrong one is said and can be retried", async () => {
    const { api } = lockedShell(true);
    const unlocked = vi.fn();
    render(<VaultNote api={api} onUnlocked={unlocked} />);
    const form = await screen.findByTestId("vault-unlock");
    expect(form.textContent).toContain("Unlock your sign-ins");
    expect(screen.queryByTestId("vault-passphrase-repeat")).toBeNull();

    type("vault-passphrase", "wrong");
    fireEvent.click(screen.getByTestId("vault-unlock-submit"));
    const error = await screen.findByTestId("vault-unlock-error");
    expect(error.getAttribute("role")).toBe("alert");
    expect(error.textContent).toContain("does not open");
    const input = screen.getByTestId("vault-passphrase");
    await waitFor(() => expect(document.activeElement).toBe(input));
    expect(unlocked).not.toHaveBeenCalled();

    type("vault-passphrase", "correct horse");
    expect(screen.queryByTestId("vault-unlock-error")).toBeNull();
    fireEvent.click(screen.getByTestId("vault-unlock-submit"));
    await screen.findByTestId("vault-status");
    expect(unlocked).toHaveBeenCalledTimes(1);
  });

  it("shows a plain note where the vault is open", async () => {
    const api = createConnectionsApi(fakeShell({ vault_status: () => vaultStatus() }).bridge);
    render(<VaultNote api={api} />);
    expect((await screen.findByTestId("vault-status")).textContent).toContain("system keyring");
    expect(screen.queryByTestId("vault-unlock")).toBeNull();
  });
});
