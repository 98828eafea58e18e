// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { CLOUD_LIVE_EVENT, createCloudApi } from "../api/cloud";
import { cloudStatus } from "../test/fakeCloud";
import { fakeShell } from "../test/fakeConnections";
import { CloudSection } from "./CloudSection";

afterEach(() => {
  cleanup();
});

const status = cloudStatus;

describe("CloudSection", () => {
  it("signs in, sets the passphrase showing the recovery code once, syncs and settles a conflict", async () => {
    let current = status();
    const shell = fakeShell({
      cloud_status: () => current,
      cloud_sign_in: () => {
        current = status({ signed_in: true, email: "a@example.org", server_url: "http://s" });
        return current;
      },
      cloud_passphrase: () => {
        current = { ...current, unlocked: true, key_id: "k1" };
        return { created: true, key_id: "k1", recovery_code: "apple river", warning: "Keep it." };
      },
      cloud_sync: () => {
        current = { ...current, open_conflicts: 1 };
        return {
          pulled: 1,
          applied: 0,
          removed: 0,
          pushed: 2,
          deleted: 0,
          new_conflicts: 1,
          open_conflicts: 1,
        };
      },
      cloud_conflicts: () => [
        {
          id: "c1",
          what: "base Mix",
          local: { name: "A" },
          remote: { name: "B" },
          resolved: false,
        },
      ],
      cloud_resolve: () => {
        current = { ...current, open_conflicts: 0 };
        return null;
      },
    });
    render(<CloudSection api={createCloudApi(shell.bridge)} />);
    fireEvent.change(await screen.findByLabelText("Email"), { target: { value: "a@example.org" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "hunter22" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    fireEvent.change(await screen.findByLabelText("Sync passphrase"), {
      target: { value: "correct horse" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Unlock" }));
    expect((await screen.findByTestId("recovery-code")).textContent).toContain("apple river");
    fireEvent.click(screen.getByRole("button", { name: "Sync setup now" }));
    expect((await screen.findByTestId("cloud-conflict")).textContent).toContain("base Mix");
    fireEvent.click(screen.getByRole("button", { name: "Keep this device's" }));
    await waitFor(() => expect(screen.queryByTestId("cloud-conflict")).toBeNull());
    const resolve = shell.calls.find((c) => c.command === "cloud_resolve");
    expect(resolve?.args).toEqual({ conflict: "c1", choice: "local" });
    const signIn = shell.calls.find((c) => c.command === "cloud_sign_in");
    expect(signIn?.args).toMatchObject({ email: "a@example.org", create: false });
  });

  it("shows a wrong passphrase as an alert and stays locked", async () => {
    const shell = fakeShell({
      cloud_status: () =>
        status({ signed_in: true, email: "a@example.org", server_url: "http://s" }),
      cloud_passphrase: () => Promise.reject({ message: "wrong passphrase" }),
    });
    render(<CloudSection api={createCloudApi(shell.bridge)} />);
    fireEvent.change(await screen.findByLabelText("Sync passphrase"), {
      target: { value: "nope" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Unlock" }));
    expect((await screen.findByRole("alert")).textContent).toContain("wrong passphrase");
    expect(
      (screen.getByRole("button", { name: "Sync setup now" }) as HTMLButtonElement).disabled,
    ).toBe(true);
  });

  it("shows the live connection and refreshes when another device's changes arrive", async () => {
    let current = status({
      signed_in: true,
      email: "a@example.org",
      server_url: "http://s",
      unlocked: true,
      records: 2,
    });
    const shell = fakeShell({ cloud_status: () => current });
    render(<CloudSection api={createCloudApi(shell.bridge)} />);
    await screen.findByTestId("cloud-signed-in");
    expect(screen.queryByTestId("cloud-live")).toBeNull();
    await waitFor(() => expect(shell.listeners(CLOUD_LIVE_EVENT)).toBe(1));

    shell.emit(CLOUD_LIVE_EVENT, { state: "live", changed: false, message: null });
    expect((await screen.findByTestId("cloud-live")).textContent).toBe("Live");

    current = { ...current, records: 5 };
    const listed = shell.calls.filter((c) => c.command === "cloud_devices").length;
    shell.emit(CLOUD_LIVE_EVENT, { state: "live", changed: true, message: null });
    await screen.findByText(/5 items kept in step/);
    // A device may have joined or left: the list is read again.
    await waitFor(() =>
      expect(shell.calls.filter((c) => c.command === "cloud_devices").length).toBeGreaterThan(
        listed,
      ),
    );

    shell.emit(CLOUD_LIVE_EVENT, { state: "reconnecting", changed: false, message: "dropped" });
    expect((await screen.findByTestId("cloud-live")).textContent).toBe("Reconnecting…");

    cleanup();
    expect(shell.listeners(CLOUD_LIVE_EVENT)).toBe(0);
  });
});
