// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "../App";
import {
  CONNECT_FAILED_EVENT,
  CONNECTION_ADDED_EVENT,
  type ConnectionDetails,
  createConnectionsApi,
} from "../api/connections";
import { connectionInfo, details, fakeShell, spotify, vaultStatus } from "../test/fakeConnections";
import { ConnectionsPage } from "./ConnectionsPage";
import { SettingsPage } from "./SettingsPage";

const AUTHORIZE_URL = "https://accounts.spotify.com/authorize?client_id=abc&state=xyz";

afterEach(() => {
  cleanup();
});

/** A shell with Spotify, the given saved Client ID and connections. */
function setup({
  clientId = "abc" as string | null,
  connections = [] as ConnectionDetails[],
} = {}) {
  const state = { clientId, connections };
  const shell = fakeShell({
    list_providers: () => [spotify],
    list_connections: () => state.connections,
    get_client_id: () => state.clientId,
    set_client_id: (args) => {
      state.clientId = String(args.clientId);
      return null;
    },
    start_connect: (args) => ({
      authorize_url: AUTHORIZE_URL,
      redirect_uri:
        args.channel === "deep_link"
          ? "syncer://oauth/spotify"
          : "http://127.0.0.1:43123/oauth/spotify",
      channel: args.channel,
      expires_at: Math.floor(Date.now() / 1000) + 600,
    }),
    open_url: () => null,
    vault_status: () => vaultStatus({ description: "the system keyring (Secret Service)" }),
    test_connection: () => ({ account_id: "ada123", account_name: "Ada L." }),
    rename_connection: (args) => {
      state.connections = state.connections.map((d) =>
        d.connection.id === args.id
          ? { ...d, connection: { ...d.connection, display_name: String(args.name) } }
          : d,
      );
      // The shell answers the renamed connection.
      return state.connections.find((d) => d.connection.id === args.id)?.connection ?? null;
    },
    remove_connection: (args) => {
      if (args.force !== true) {
        return Promise.reject({
          message:
            'the connection "Ada\'s Spotify" is used by base playlists: Liked Songs. Remove those first, or remove it anyway.',
        });
      }
      state.connections = state.connections.filter((d) => d.connection.id !== args.id);
      return { id: args.id, orphaned_bases: ["Liked Songs"] };
    },
  });
  const api = createConnectionsApi(shell.bridge);
  return { shell, api, state };
}

function calls(shell: ReturnType<typeof setup>["shell"], command: string) {
  return shell.calls.filter((call) => call.command === command).map((call) => call.args);
}

describe("ConnectionsPage", () => {
  it("lists the providers beside the one empty state", async () => {
    const { api } = setup();
    render(<ConnectionsPage api={api} />);
    const card = await screen.findByTestId("provider-spotify");
    expect(within(card).getByRole("heading", { name: "Spotify" })).toBeTruthy();
    await waitFor(() =>
      expect((screen.getByTestId("connect-spotify") as HTMLButtonElement).disabled).toBe(false),
    );
    expect(screen.getAllByTestId("empty-state")).toHaveLength(1);
    expect(screen.getByTestId("page-title").textContent).toBe("Connections");
    expect((await screen.findByTestId("vault-status")).textContent).toContain(
      "Sign-ins are stored in: the system keyring",
    );
    expect((screen.getByTestId("channel-loopback") as HTMLInputElement).checked).toBe(true);
  });

  it("asks for a Client ID first, with where to get one and the URIs to register", async () => {
    const { api, shell } = setup({ clientId: null });
    render(<ConnectionsPage api={api} />);
    const input = await screen.findByTestId("client-id-input");
    const card = screen.getByTestId("provider-spotify");
    expect(card.textContent).toContain("developer.spotify.com/dashboard");
    expect(card.textContent).toContain("syncer://oauth/spotify");
    expect(card.textContent).toContain("http://127.0.0.1:8888/oauth/spotify");
    expect((screen.getByTestId("connect-spotify") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByLabelText("Spotify Client ID")).toBe(input);

    fireEvent.change(input, { target: { value: "  0123abcd  " } });
    fireEvent.click(screen.getByTestId("client-id-save"));
    await waitFor(() =>
      expect((screen.getByTestId("connect-spotify") as HTMLButtonElement).disabled).toBe(false),
    );
    expect(calls(shell, "set_client_id")).toEqual([{ provider: "spotify", clientId: "0123abcd" }]);
    expect(screen.getByTestId("client-id-saved").textContent).toBe("0123abcd");
  });

  it("shows a refused Client ID as an alert", async () => {
    const { api, shell } = setup({ clientId: null });
    shell.handlers.set_client_id = () =>
      Promise.reject({ message: "That is not a Spotify Client ID." });
    render(<ConnectionsPage api={api} />);
    fireEvent.change(await screen.findByTestId("client-id-input"), { target: { value: "x" } });
    fireEvent.click(screen.getByTestId("client-id-save"));
    expect((await screen.findByRole("alert")).textContent).toContain(
      "That is not a Spotify Client ID.",
    );
  });

  it("connects: shows the authorize link, then the new card when connection-added arrives", async () => {
    const { api, shell, state } = setup();
    render(<ConnectionsPage api={api} />);
    const connect = await screen.findByTestId("connect-spotify");
    await waitFor(() => expect((connect as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(connect);

    const link = await screen.findByTestId("authorize-url");
    expect(link.textContent).toBe(AUTHORIZE_URL);
    expect(screen.getByText("Finish signing in in your browser…")).toBeTruthy();
    expect(screen.getByTestId("connect-pending").textContent).toContain("10 minutes");
    expect(calls(shell, "start_connect")).toEqual([{ provider: "spotify", channel: "loopback" }]);
    expect((connect as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(screen.getByRole("button", { name: "Open in browser again" }));
    await waitFor(() => expect(calls(shell, "open_url")).toEqual([{ url: AUTHORIZE_URL }]));

    state.connections = [details()];
    act(() => shell.emit(CONNECTION_ADDED_EVENT, connectionInfo()));

    const card = await screen.findByTestId("connection-card");
    expect(within(card).getByTestId("connection-name").textContent).toBe("Ada's Spotify");
    expect(within(card).getByTestId("connection-account").textContent).toBe("ada123");
    expect(within(card).getByTestId("connection-status").textContent).toBe("Ready");
    expect(within(card).getByTestId("connection-health").textContent).toContain("Signed in.");
    expect(screen.queryByTestId("authorize-url")).toBeNull();
    expect(screen.queryByTestId("empty-state")).toBeNull();
    expect(screen.getByTestId("connect-success").textContent).toContain("Ada's Spotify");
  });

  it("uses the syncer:// link when chosen, and Cancel just clears the pending UI", async () => {
    const { api, shell } = setup();
    render(<ConnectionsPage api={api} />);
    const connect = await screen.findByTestId("connect-spotify");
    await waitFor(() => expect((connect as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId("channel-deep_link"));
    fireEvent.click(connect);
    expect((await screen.findByTestId("connect-pending")).textContent).toContain(
      "syncer://oauth/spotify",
    );
    expect(calls(shell, "start_connect")).toEqual([{ provider: "spotify", channel: "deep_link" }]);
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("authorize-url")).toBeNull();
    expect((connect as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows connect-failed as an alert and clears the pending state", async () => {
    const { api, shell } = setup();
    render(<ConnectionsPage api={api} />);
    const connect = await screen.findByTestId("connect-spotify");
    await waitFor(() => expect((connect as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(connect);
    await screen.findByTestId("authorize-url");

    act(() => shell.emit(CONNECT_FAILED_EVENT, { message: "You declined access on Spotify." }));

    const alert = await screen.findByTestId("connect-error");
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.textContent).toContain("You declined access on Spotify.");
    expect(screen.queryByTestId("authorize-url")).toBeNull();
  });

  it("shows a failed start_connect as the same alert", async () => {
    const { api, shell } = setup();
    shell.handlers.start_connect = () => Promise.reject("port 8888 is busy");
    render(<ConnectionsPage api={api} />);
    const connect = await screen.findByTestId("connect-spotify");
    await waitFor(() => expect((connect as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(connect);
    expect((await screen.findByTestId("connect-error")).textContent).toContain("port 8888");
  });

  it("tests a connection", async () => {
    const { api } = setup({ connections: [details()] });
    render(<ConnectionsPage api={api} />);
    fireEvent.click(await screen.findByTestId("connection-test"));
    expect((await screen.findByTestId("connection-test-result")).textContent).toBe(
      "Connected as Ada L. (ada123).",
    );
  });

  it("renames a connection inline", async () => {
    const { api, shell } = setup({ connections: [details()] });
    render(<ConnectionsPage api={api} />);
    fireEvent.click(await screen.findByTestId("connection-rename"));
    fireEvent.change(screen.getByLabelText("New name"), { target: { value: "Work" } });
    fireEvent.click(screen.getByTestId("connection-rename-save"));
    await waitFor(() => expect(screen.getByTestId("connection-name").textContent).toBe("Work"));
    expect(calls(shell, "rename_connection")).toEqual([{ id: "c1", name: "Work" }]);
  });

  it("confirms before removing, and offers Remove anyway when bases use it", async () => {
    const { api, shell } = setup({ connections: [details()] });
    render(<ConnectionsPage api={api} />);
    fireEvent.click(await screen.findByTestId("connection-remove"));
    expect(calls(shell, "remove_connection")).toEqual([]);
    fireEvent.click(screen.getByTestId("connection-remove-confirm"));
    expect((await screen.findByTestId("connection-remove-error")).textContent).toContain(
      "used by base playlists",
    );
    fireEvent.click(screen.getByTestId("connection-remove-force"));
    await waitFor(() => expect(screen.queryByTestId("connection-card")).toBeNull());
    expect(calls(shell, "remove_connection")).toEqual([
      { id: "c1", force: false },
      { id: "c1", force: true },
    ]);
    expect(screen.getByTestId("connections-notice").textContent).toContain(
      "1 base playlist no longer has a connection",
    );
    expect(screen.getAllByTestId("empty-state")).toHaveLength(1);
  });

  it("says until when a connection is rate-limited, without offering Reconnect", async () => {
    const until = new Date();
    until.setHours(23, 59, 0, 0);
    const paused = details(connectionInfo(), {
      state: "rate_limited",
      message: "The service asked Syncer to slow down; syncs wait until then.",
      rate_limited_until: Math.floor(until.getTime() / 1000),
    });
    const { api } = setup({ connections: [paused] });
    render(<ConnectionsPage api={api} />);
    const card = await screen.findByTestId("connection-card");
    const status = within(card).getByTestId("connection-status");
    const time = until.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    expect(status.textContent).toBe(`Rate-limited until ${time}`);
    expect(status.className).toContain("badge--warning");
    expect(within(card).getByTestId("connection-health").textContent).toContain("slow down");
    expect(within(card).queryByTestId("connection-reconnect")).toBeNull();
  });

  it("says by when the sign-in must be renewed, as a warning once it is near", async () => {
    const far = details(connectionInfo(), {
      sign_in_renew_by: Math.floor(new Date(2027, 4, 31).getTime() / 1000),
    });
    const { api } = setup({ connections: [far] });
    const { unmount } = render(<ConnectionsPage api={api} />);
    const card = await screen.findByTestId("connection-card");
    const line = within(card).getByTestId("connection-renewal");
    expect(line.textContent).toContain("Sign-in renews by");
    expect(line.className).not.toContain("notice--warning");
    unmount();

    const near = details(connectionInfo(), {
      sign_in_renew_by: Math.floor(Date.now() / 1000) + 3 * 86_400,
      sign_in_notice: "Your Spotify sign-in ends in 3 days: run Reconnect to keep syncing.",
    });
    const second = setup({ connections: [near] });
    render(<ConnectionsPage api={second.api} />);
    const warned = within(await screen.findByTestId("connection-card")).getByTestId(
      "connection-renewal",
    );
    expect(warned.textContent).toContain("ends in 3 days");
    expect(warned.className).toContain("notice--warning");
  });

  it("a stored reconnect-needed outranks a pause", async () => {
    const both = details(connectionInfo({ status: "reconnect_needed" }), {
      state: "rate_limited",
      rate_limited_until: Math.floor(Date.now() / 1000) + 600,
    });
    const { api } = setup({ connections: [both] });
    render(<ConnectionsPage api={api} />);
    const card = await screen.findByTestId("connection-card");
    expect(within(card).getByTestId("connection-status").textContent).toBe("Reconnect needed");
  });

  it("offers Reconnect when the sign-in stopped working", async () => {
    const stale = details(connectionInfo({ status: "reconnect_needed" }), {
      state: "reconnect_needed",
      message: "Spotify no longer accepts this sign-in.",
    });
    const { api, shell } = setup({ connections: [stale] });
    render(<ConnectionsPage api={api} />);
    const card = await screen.findByTestId("connection-card");
    expect(within(card).getByTestId("connection-status").textContent).toBe("Reconnect needed");
    fireEvent.click(within(card).getByTestId("connection-reconnect"));
    expect((await within(card).findByTestId("authorize-url")).textContent).toBe(AUTHORIZE_URL);
    expect(calls(shell, "start_connect")).toEqual([{ provider: "spotify", channel: "loopback" }]);
  });

  it("shows the vault's error as an alert", async () => {
    const { api, shell } = setup();
    shell.handlers.vault_status = () =>
      vaultStatus({
        kind: "memory",
        description: "memory only (sign-ins are lost when Syncer quits)",
        error: "No keyring was found and no passphrase is set.",
      });
    render(<ConnectionsPage api={api} />);
    expect((await screen.findByTestId("vault-error")).getAttribute("role")).toBe("alert");
  });

  it("asks for the secrets file's passphrase before any sign-in, then lists again", async () => {
    const { api, shell } = setup();
    let open = false;
    shell.handlers.vault_status = () => ({
      kind: "file",
      description: open ? "an encrypted file" : "Enter its passphrase to use your sign-ins.",
      needs_passphrase: !open,
      file_exists: true,
    });
    shell.handlers.unlock_vault = () => {
      open = true;
      return shell.handlers.vault_status?.({});
    };
    render(<ConnectionsPage api={api} />);
    const form = await screen.findByTestId("vault-unlock");
    // Above the services to connect, so it is met first.
    const spotifyCard = await screen.findByText("Spotify");
    expect(
      form.compareDocumentPosition(spotifyCard) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    const listed = shell.calls.filter((c) => c.command === "list_connections").length;
    fireEvent.change(screen.getByTestId("vault-passphrase"), { target: { value: "the secret" } });
    fireEvent.submit(form);
    await screen.findByTestId("vault-status");
    await waitFor(() =>
      expect(shell.calls.filter((c) => c.command === "list_connections").length).toBe(listed + 1),
    );
  });

  it("degrades to an explanation outside the desktop app", () => {
    const api = createConnectionsApi(fakeShell({}, false).bridge);
    render(<ConnectionsPage api={api} />);
    expect(screen.getAllByTestId("empty-state")).toHaveLength(1);
    expect(screen.getByTestId("connections-unavailable")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("stops listening when the page is left", async () => {
    const { api, shell } = setup();
    const { unmount } = render(<ConnectionsPage api={api} />);
    await waitFor(() => expect(shell.listeners(CONNECTION_ADDED_EVENT)).toBe(1));
    unmount();
    expect(shell.listeners(CONNECTION_ADDED_EVENT)).toBe(0);
    expect(shell.listeners(CONNECT_FAILED_EVENT)).toBe(0);
  });
});

describe("SettingsPage's Spotify section", () => {
  const unavailable = () => Promise.resolve({ kind: "unavailable" as const });

  it("saves the Client ID and says so", async () => {
    const { api, shell } = setup({ clientId: "old-id" });
    render(<SettingsPage loadAppInfo={unavailable} connectionsApi={api} />);
    const input = (await waitFor(() => {
      const field = screen.getByTestId("settings-client-id") as HTMLInputElement;
      expect(field.value).toBe("old-id");
      return field;
    })) as HTMLInputElement;
    expect(screen.getByRole("heading", { name: "Background sync" })).toBeTruthy();
    expect(screen.getByTestId("redirect-uris").textContent).toContain("syncer://oauth/spotify");
    expect((await screen.findByTestId("vault-status")).textContent).toContain("keyring");

    fireEvent.change(input, { target: { value: "new-id" } });
    fireEvent.click(screen.getByTestId("settings-client-id-save"));
    expect((await screen.findByRole("status")).textContent).toBe("Saved.");
    expect(calls(shell, "set_client_id")).toEqual([{ provider: "spotify", clientId: "new-id" }]);
  });

  it("shows a refused Client ID as an alert", async () => {
    const { api, shell } = setup();
    shell.handlers.set_client_id = () => Promise.reject("A Client ID cannot be empty.");
    render(<SettingsPage loadAppInfo={unavailable} connectionsApi={api} />);
    await waitFor(() =>
      expect((screen.getByTestId("settings-client-id") as HTMLInputElement).disabled).toBe(false),
    );
    fireEvent.click(screen.getByTestId("settings-client-id-save"));
    expect((await screen.findByRole("alert")).textContent).toContain("cannot be empty");
  });

  it("works inside the App with the unavailable shell", async () => {
    window.location.hash = "#/settings";
    render(<App loadAppInfo={unavailable} />);
    expect(await screen.findByTestId("spotify-settings-unavailable")).toBeTruthy();
    expect((screen.getByTestId("settings-client-id") as HTMLInputElement).disabled).toBe(true);
    window.location.hash = "";
  });
});
