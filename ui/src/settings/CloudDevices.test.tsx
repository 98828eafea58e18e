// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { createCloudApi, type DeviceView } from "../api/cloud";
import { cloudStatus } from "../test/fakeCloud";
import { fakeShell } from "../test/fakeConnections";
import { AddDevice, DeviceList, formatRemaining } from "./CloudDevices";
import { CloudSection } from "./CloudSection";

afterEach(() => {
  cleanup();
});

const status = cloudStatus;

function device(overrides: Partial<DeviceView> = {}): DeviceView {
  return {
    id: "d1",
    name: "laptop",
    enrolled_by: "password",
    platform: "linux",
    os_version: "Debian 13",
    model: null,
    app_version: "0.1.0",
    created_at: 1_700_000_000_000,
    last_seen_at: 1_700_000_100_000,
    current: true,
    ...overrides,
  };
}

const NOW = 1_800_000_000_000;

describe("formatRemaining", () => {
  it("shows minutes and seconds, never negative", () => {
    expect(formatRemaining(600)).toBe("10:00");
    expect(formatRemaining(581.7)).toBe("9:41");
    expect(formatRemaining(-3)).toBe("0:00");
  });
});

describe("AddDevice", () => {
  it("shows the QR code, the copyable code and the time left, and makes a new code", async () => {
    let n = 0;
    const shell = fakeShell({
      cloud_create_enrollment: () => {
        n += 1;
        return {
          code: `syncer-enroll:v1:code${n}`,
          svg: '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="#000"/></svg>',
          expires_at: NOW + 600_000,
          expires_in_secs: 600,
        };
      },
    });
    render(<AddDevice api={createCloudApi(shell.bridge)} now={() => NOW} />);
    expect(screen.queryByTestId("enrollment")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Show a code" }));
    const qr = await screen.findByRole("img", { name: "QR code for the new device to scan" });
    expect(qr.getAttribute("src")).toContain("data:image/svg+xml");
    expect(decodeURIComponent(qr.getAttribute("src") ?? "")).toContain("<svg");
    const field = screen.getByLabelText("Code to paste on the new device") as HTMLInputElement;
    expect(field.value).toBe("syncer-enroll:v1:code1");
    expect(field.readOnly).toBe(true);
    expect(screen.getByRole("timer").textContent).toBe("Expires in 10:00");
    fireEvent.click(screen.getByRole("button", { name: "New code" }));
    await waitFor(() => expect(field.value).toBe("syncer-enroll:v1:code2"));
    expect(shell.calls.filter((c) => c.command === "cloud_create_enrollment")).toHaveLength(2);
    fireEvent.click(screen.getByRole("button", { name: "Hide the code" }));
    expect(screen.queryByTestId("enrollment")).toBeNull();
  });

  it("says when the code has expired and offers a new one", async () => {
    const shell = fakeShell({
      cloud_create_enrollment: () => ({
        code: "syncer-enroll:v1:old",
        svg: "<svg/>",
        expires_at: NOW - 1,
        expires_in_secs: 0,
      }),
    });
    render(<AddDevice api={createCloudApi(shell.bridge)} now={() => NOW} />);
    fireEvent.click(screen.getByRole("button", { name: "Show a code" }));
    expect((await screen.findByRole("alert")).textContent).toContain("expired");
    expect(screen.queryByRole("img")).toBeNull();
    expect((screen.getByRole("button", { name: "Copy code" }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    expect(screen.getByRole("button", { name: "New code" })).toBeTruthy();
  });

  it("takes the code away once a device has joined with it", async () => {
    let devices = [device()];
    const shell = fakeShell({
      cloud_create_enrollment: () => ({
        code: "syncer-enroll:v1:once",
        svg: "<svg/>",
        expires_at: NOW + 600_000,
        expires_in_secs: 600,
      }),
      cloud_devices: () => devices,
    });
    const api = createCloudApi(shell.bridge);
    const { rerender } = render(<AddDevice api={api} now={() => NOW} version={0} />);
    fireEvent.click(screen.getByRole("button", { name: "Show a code" }));
    await screen.findByTestId("enrollment");
    // A live event about another change: no device joined by code, the code stays.
    rerender(<AddDevice api={api} now={() => NOW} version={1} />);
    await waitFor(() =>
      expect(shell.calls.filter((c) => c.command === "cloud_devices")).toHaveLength(1),
    );
    expect(screen.getByTestId("enrollment")).toBeTruthy();
    devices = [
      device(),
      device({
        id: "d2",
        name: "phone",
        enrolled_by: "qr",
        created_at: NOW + 5_000,
        current: false,
      }),
    ];
    rerender(<AddDevice api={api} now={() => NOW} version={2} />);
    expect((await screen.findByRole("status")).textContent).toContain("phone joined with the code");
    expect(screen.queryByTestId("enrollment")).toBeNull();
  });

  it("shows a refusal (a locked device) as an alert", async () => {
    const shell = fakeShell({
      cloud_create_enrollment: () => Promise.reject({ message: "cloud sync is locked" }),
    });
    render(<AddDevice api={createCloudApi(shell.bridge)} now={() => NOW} />);
    fireEvent.click(screen.getByRole("button", { name: "Show a code" }));
    expect((await screen.findByRole("alert")).textContent).toContain("locked");
  });
});

describe("DeviceList", () => {
  it("renames with the keyboard and removes a device only after confirming", async () => {
    let devices = [
      device(),
      device({
        id: "d2",
        name: "phone",
        enrolled_by: "qr",
        platform: "android",
        model: "Pixel",
        current: false,
      }),
    ];
    const shell = fakeShell({
      cloud_devices: () => devices,
      cloud_rename_device: (args) => {
        devices = devices.map((d) => (d.id === args.id ? { ...d, name: String(args.name) } : d));
        return devices.find((d) => d.id === args.id);
      },
      cloud_revoke_device: (args) => {
        devices = devices.filter((d) => d.id !== args.id);
        return false;
      },
    });
    render(<DeviceList api={createCloudApi(shell.bridge)} onSignedOut={() => {}} />);
    const rows = await screen.findAllByTestId("cloud-device");
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain("(this device)");
    expect(rows[1]?.textContent).toContain("joined with a code");
    expect(rows[1]?.textContent).toContain("Pixel");

    fireEvent.click(screen.getByRole("button", { name: "Rename phone" }));
    const input = screen.getByLabelText("New name for phone");
    fireEvent.change(input, { target: { value: "old phone" } });
    fireEvent.submit(input);
    expect(await screen.findByText("old phone")).toBeTruthy();
    expect(shell.calls.find((c) => c.command === "cloud_rename_device")?.args).toEqual({
      id: "d2",
      name: "old phone",
    });

    fireEvent.click(screen.getByRole("button", { name: "Remove old phone" }));
    const dialog = screen.getByRole("alertdialog", { name: "Confirm removal" });
    const keep = within(dialog).getByRole("button", { name: "Keep it" });
    expect(document.activeElement).toBe(keep);
    fireEvent.click(keep);
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(shell.calls.some((c) => c.command === "cloud_revoke_device")).toBe(false);

    fireEvent.click(screen.getByRole("button", { name: "Remove old phone" }));
    fireEvent.click(
      within(screen.getByRole("alertdialog")).getByRole("button", { name: "Remove old phone" }),
    );
    await waitFor(() => expect(screen.getAllByTestId("cloud-device")).toHaveLength(1));
    expect(shell.calls.find((c) => c.command === "cloud_revoke_device")?.args).toEqual({
      id: "d2",
    });
    expect((await screen.findByRole("status")).textContent).toContain("signed out at once");
  });

  it("removing this device signs it out", async () => {
    let signedOut = false;
    const shell = fakeShell({
      cloud_devices: () => [device()],
      cloud_revoke_device: () => true,
    });
    render(
      <DeviceList
        api={createCloudApi(shell.bridge)}
        onSignedOut={() => {
          signedOut = true;
        }}
      />,
    );
    fireEvent.click(await screen.findByRole("button", { name: "Remove laptop" }));
    expect(screen.getByRole("alertdialog").textContent).toContain("This device will be signed out");
    fireEvent.click(
      within(screen.getByRole("alertdialog")).getByRole("button", { name: "Remove laptop" }),
    );
    await waitFor(() => expect(signedOut).toBe(true));
  });
});

describe("CloudSection with devices", () => {
  it("joins with a pasted code on a device that is not signed in", async () => {
    let current = status();
    const shell = fakeShell({
      cloud_status: () => current,
      cloud_devices: () => [device({ name: "tablet", enrolled_by: "qr" })],
      cloud_join: () => {
        current = status({
          signed_in: true,
          unlocked: true,
          email: "a@example.org",
          server_url: "http://s",
        });
        return { status: current, created_by_device: "laptop", applied: 5 };
      },
    });
    render(<CloudSection api={createCloudApi(shell.bridge)} />);
    const join = (await screen.findByRole("button", { name: "Join" })) as HTMLButtonElement;
    expect(join.disabled).toBe(true);
    fireEvent.change(await screen.findByLabelText("Code from your other device"), {
      target: { value: "  syncer-enroll:v1:abc \n" },
    });
    fireEvent.change(screen.getByLabelText("Name for this device (optional)"), {
      target: { value: "tablet" },
    });
    fireEvent.click(join);
    expect(await screen.findByTestId("cloud-signed-in")).toBeTruthy();
    expect(shell.calls.find((c) => c.command === "cloud_join")?.args).toEqual({
      code: "syncer-enroll:v1:abc",
      name: "tablet",
    });
    expect((await screen.findByRole("status")).textContent).toContain("from laptop");
    // Signed in and unlocked: it can add devices and lists them.
    expect(screen.getByRole("button", { name: "Show a code" })).toBeTruthy();
    expect((await screen.findAllByTestId("cloud-device")).length).toBe(1);
  });

  it("shows why a code was refused", async () => {
    const shell = fakeShell({
      cloud_status: () => status(),
      cloud_join: () =>
        Promise.reject({ message: "this enrollment code has expired", code: "not_found" }),
    });
    render(<CloudSection api={createCloudApi(shell.bridge)} />);
    fireEvent.change(await screen.findByLabelText("Code from your other device"), {
      target: { value: "syncer-enroll:v1:old" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Join" }));
    expect((await screen.findByRole("alert")).textContent).toContain("expired");
  });
});
