import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from "react";
import type { AppInfoResult } from "../api/appInfo";
import type { CloudApi } from "../api/cloud";
import { type ConnectionsApi, type Loadable, type Outcome, toLoadable } from "../api/connections";
import { THEMES } from "../api/enums";
import type { GenresApi } from "../api/genres";
import {
  defaultSyncApi,
  type HubStatus,
  type Setting,
  type Settings,
  type SettingsView,
  type SyncApi,
  type Theme,
} from "../api/sync";
import type { UpdatesApi } from "../api/updates";
import { DataLocations } from "../components/DataLocations";
import { WarningIcon } from "../components/icons";
import { PageHeader } from "../components/PageHeader";
import { SpotifySettings } from "../components/SpotifySettings";
import { THEME_LABELS, TRAY_STATE_LABELS } from "../labels";
import { routeHref } from "../routes";
import { CloudSection } from "../settings/CloudSection";
import { Toggle } from "../settings/Toggle";
import { Updates } from "../settings/Updates";
import { YourData } from "../settings/YourData";
import { YourGenres } from "../settings/YourGenres";
import { absoluteTime, isoTime, relativeTime } from "../sync/format";
import { applyTheme, rememberedTheme } from "../theme";
import "./settings.css";

type SettingsPageProps = {
  loadAppInfo?: (() => Promise<AppInfoResult>) | undefined;
  /** Replaces the Tauri commands in tests and previews. */
  connectionsApi?: ConnectionsApi | undefined;
  /** Replaces the settings and sync commands and events in tests and previews. */
  api?: SyncApi | undefined;
  /** Replaces the cloud account's commands in tests and previews. */
  cloudApi?: CloudApi | undefined;
  /** Replaces the "my genres" commands in tests and previews. */
  genresApi?: GenresApi | undefined;
  /** Replaces the update commands in tests and previews. */
  updatesApi?: UpdatesApi | undefined;
  /** The clock "next sync in …" counts from; tests fix it. */
  now?: (() => number) | undefined;
};

/** What the page shows and saves: what Syncer keeps, and what the desktop keeps beside it. */
type PageSettings = Settings & Pick<SettingsView, "start_at_login">;

/** One thing the page saves: a yes/no setting, the theme, or starting at login. */
type Field = keyof PageSettings;

function pageSettings(view: SettingsView): PageSettings {
  return { ...view.settings, start_at_login: view.start_at_login };
}

/** What the shell answers for a fresh install (crates/app), shown until it answers. */
const DEFAULTS: PageSettings = {
  background_sync: true,
  notify_on_success: false,
  notify_on_failure: true,
  start_minimised: false,
  start_at_login: false,
  theme: "system",
};

/** A failure to save, shown in the section of the setting it is about. */
type Problem = { setting: Field; message: string } | null;

export function SettingsPage({
  loadAppInfo,
  connectionsApi,
  api = defaultSyncApi,
  cloudApi,
  genresApi,
  updatesApi,
  now = Date.now,
}: SettingsPageProps) {
  const available = api.isAvailable();
  const [settings, setSettings] = useState<Loadable<PageSettings>>(() =>
    available ? { kind: "loading" } : { kind: "unavailable" },
  );
  const [hub, setHub] = useState<HubStatus | null>(null);
  const [saving, setSaving] = useState<ReadonlySet<Field>>(new Set());
  const [problem, setProblem] = useState<Problem>(null);
  const [toggling, setToggling] = useState(false);
  const [pauseProblem, setPauseProblem] = useState<string | null>(null);
  // In a plain browser the theme still switches, for this window only.
  const [localTheme, setLocalTheme] = useState<Theme>(rememberedTheme);

  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const loadSettings = useCallback(async () => {
    if (!api.isAvailable()) {
      return;
    }
    const result = await api.getSettings();
    if (mounted.current) {
      setSettings(toLoadable(result.ok ? { ok: true, value: pageSettings(result.value) } : result));
    }
  }, [api]);

  const loadStatus = useCallback(async () => {
    if (!api.isAvailable()) {
      return;
    }
    const result = await api.syncStatus();
    if (mounted.current && result.ok) {
      setHub(result.value);
    }
  }, [api]);

  useEffect(() => {
    void loadSettings();
    void loadStatus();
  }, [loadSettings, loadStatus]);

  // The tray can pause or resume too, and syncs start and end on their own.
  useEffect(() => {
    let active = true;
    let unlisten: (() => void) | null = null;
    api
      .onSyncStatus((status) => {
        if (active) {
          setHub(status);
        }
      })
      .then((stop) => {
        if (active) {
          unlisten = stop;
        } else {
          stop();
        }
      });
    return () => {
      active = false;
      unlisten?.();
    };
  }, [api]);

  const view = settings.kind === "ok" ? settings.value : DEFAULTS;
  const ready = settings.kind === "ok";

  function patch(changes: Partial<PageSettings>) {
    setSettings((s) => (s.kind === "ok" ? { kind: "ok", value: { ...s.value, ...changes } } : s));
  }

  function markSaving(setting: Field, on: boolean) {
    setSaving((all) => {
      const next = new Set(all);
      if (on) {
        next.add(setting);
      } else {
        next.delete(setting);
      }
      return next;
    });
  }

  /** Shows the change at once, saves it, and puts it back if saving failed. */
  async function save<K extends Field, T>(
    setting: K,
    value: PageSettings[K],
    label: string,
    request: () => Promise<Outcome<T>>,
  ): Promise<Outcome<T> | null> {
    const before = view[setting];
    patch({ [setting]: value });
    markSaving(setting, true);
    setProblem(null);
    const result = await request();
    if (!mounted.current) {
      return null;
    }
    markSaving(setting, false);
    if (!result.ok) {
      patch({ [setting]: before });
      setProblem({ setting, message: `Syncer could not save “${label}”: ${result.message}` });
    }
    return result;
  }

  async function changeFlag(setting: Setting, value: boolean, label: string) {
    await save(setting, value, label, () => api.setFlag(setting, value));
    if (setting === "background_sync") {
      void loadStatus();
    }
  }

  async function changeStartAtLogin(enabled: boolean, label: string) {
    const result = await save("start_at_login", enabled, label, () => api.setStartAtLogin(enabled));
    // The desktop has the last word: show what it did, and say so if it differs.
    if (result?.ok) {
      const answer = result.value;
      patch({ start_at_login: answer });
      if (answer !== enabled) {
        setProblem({
          setting: "start_at_login",
          message: `Your desktop did not ${enabled ? "add" : "remove"} Syncer's start-up entry. Check its start-up applications.`,
        });
      }
    }
  }

  async function changeTheme(theme: Theme) {
    const before = ready ? view.theme : localTheme;
    applyTheme(theme);
    setLocalTheme(theme);
    if (!available) {
      return;
    }
    const result = await save("theme", theme, "Theme", () => api.setTheme(theme));
    if (result !== null && !result.ok) {
      applyTheme(before);
      setLocalTheme(before);
    }
  }

  async function togglePause() {
    setToggling(true);
    setPauseProblem(null);
    const result = await api.trayAction("toggle_pause");
    if (!mounted.current) {
      return;
    }
    setToggling(false);
    if (!result.ok) {
      setPauseProblem(
        `Syncer could not ${hub?.paused ? "resume" : "pause"} background sync: ${result.message}`,
      );
    }
    void loadStatus();
  }

  const disabled = (setting: Field) => !ready || saving.has(setting);
  const problemFor = (setting: Field | readonly Field[]) =>
    problem !== null && ([] as Field[]).concat(setting).includes(problem.setting) ? (
      <div className="notice notice--warning" role="alert" data-testid="settings-problem">
        <WarningIcon size={16} />
        <p>{problem.message}</p>
      </div>
    ) : null;
  const theme = ready ? view.theme : localTheme;

  return (
    <>
      <PageHeader title="Settings">
        How and when Syncer works, and where it keeps its files.
      </PageHeader>

      <SettingsState settings={settings} onRetry={() => void loadSettings()} />

      <SpotifySettings api={connectionsApi} />

      <Card title="Background sync" testId="settings-background">
        <Toggle
          label="Sync in the background"
          description="Each base playlist syncs on its own schedule while Syncer runs, in its window or in the tray."
          checked={view.background_sync}
          disabled={disabled("background_sync")}
          onChange={(value) => void changeFlag("background_sync", value, "Sync in the background")}
        />
        {problemFor("background_sync")}
        <div className="setting-status">
          <p aria-live="polite" data-testid="background-status">
            <BackgroundStatus
              hub={hub}
              backgroundSync={view.background_sync}
              ready={ready}
              nowMs={now()}
            />
          </p>
          <button
            type="button"
            className="button button--small"
            disabled={!ready || hub === null || !view.background_sync || toggling}
            onClick={() => void togglePause()}
          >
            {hub?.paused ? "Resume background sync" : "Pause background sync"}
          </button>
        </div>
        {pauseProblem === null ? null : (
          <div className="notice notice--warning" role="alert">
            <WarningIcon size={16} />
            <p>{pauseProblem}</p>
          </div>
        )}
        <p className="muted small">
          How often each base playlist syncs is set on its own, on the{" "}
          <a href={routeHref("playlists")}>Playlists</a> page.
        </p>
      </Card>

      <Card title="Notifications" testId="settings-notifications">
        <Toggle
          label="Notify me when a sync fails"
          description="A desktop notification says which base playlist failed and why."
          checked={view.notify_on_failure}
          disabled={disabled("notify_on_failure")}
          onChange={(value) =>
            void changeFlag("notify_on_failure", value, "Notify me when a sync fails")
          }
        />
        <Toggle
          label="Notify me when a sync succeeds"
          description="A desktop notification with what each sync added and removed."
          checked={view.notify_on_success}
          disabled={disabled("notify_on_success")}
          onChange={(value) =>
            void changeFlag("notify_on_success", value, "Notify me when a sync succeeds")
          }
        />
        {problemFor(["notify_on_failure", "notify_on_success"])}
      </Card>

      <Card title="Start-up" testId="settings-startup">
        <Toggle
          label="Start Syncer when I log in"
          description="So background syncs run without you opening Syncer."
          checked={view.start_at_login}
          disabled={disabled("start_at_login")}
          onChange={(value) => void changeStartAtLogin(value, "Start Syncer when I log in")}
        />
        <Toggle
          label="Start minimised to the tray"
          description="Syncer opens in the tray, without its window; open it from the tray icon."
          checked={view.start_minimised}
          disabled={disabled("start_minimised")}
          onChange={(value) =>
            void changeFlag("start_minimised", value, "Start minimised to the tray")
          }
        />
        {problemFor(["start_at_login", "start_minimised"])}
      </Card>

      <Card title="Appearance" testId="settings-appearance">
        <fieldset className="radio-group" disabled={available && disabled("theme")}>
          <legend>Theme</legend>
          {THEMES.map((value) => (
            <label key={value} className="radio">
              <input
                type="radio"
                name="theme"
                value={value}
                checked={theme === value}
                onChange={() => void changeTheme(value)}
              />
              {THEME_LABELS[value]}
            </label>
          ))}
        </fieldset>
        {problemFor("theme")}
      </Card>

      <Card title="Cloud sync" testId="settings-cloud">
        <CloudSection api={cloudApi} />
      </Card>

      <YourGenres api={genresApi} />

      <YourData
        api={api}
        available={available}
        onDeleted={() => {
          void loadSettings();
          void loadStatus();
        }}
      />

      <Updates api={updatesApi} />

      <DataLocations load={loadAppInfo} />
    </>
  );
}

function Card({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="card" aria-labelledby={id} data-testid={testId}>
      <h2 id={id} className="card__title">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** Why the switches below cannot be used yet, if they cannot. */
function SettingsState({
  settings,
  onRetry,
}: {
  settings: Loadable<PageSettings>;
  onRetry: () => void;
}) {
  switch (settings.kind) {
    case "ok":
      return null;
    case "loading":
      return <p className="muted">Reading your settings…</p>;
    case "unavailable":
      return (
        <p className="notice" data-testid="settings-unavailable">
          These settings are saved by the Syncer desktop app. This preview shows the defaults and
          cannot change them; the theme applies to this window only.
        </p>
      );
    case "error":
      return (
        <div className="notice notice--warning" role="alert" data-testid="settings-error">
          <WarningIcon size={16} />
          <p>Syncer could not read your settings: {settings.message}</p>
          <button type="button" className="button button--small" onClick={onRetry}>
            Try again
          </button>
        </div>
      );
  }
}

function BackgroundStatus({
  hub,
  backgroundSync,
  ready,
  nowMs,
}: {
  hub: HubStatus | null;
  backgroundSync: boolean;
  ready: boolean;
  nowMs: number;
}) {
  if (!ready || hub === null) {
    return <span className="muted">Background sync's state is shown in the desktop app.</span>;
  }
  const syncing =
    hub.running.length === 0
      ? ""
      : ` Syncing ${hub.running.length} base playlist${hub.running.length === 1 ? "" : "s"} now.`;
  // What the tray's icon says when it is not just idle or syncing.
  const running =
    hub.tray === "error" && hub.last_error !== null
      ? `${syncing} ${TRAY_STATE_LABELS.error}: ${hub.last_error}`
      : syncing;
  if (!backgroundSync) {
    return <>Background sync is off: bases sync only when you ask.{running}</>;
  }
  if (hub.paused) {
    return <>Paused: no scheduled sync runs until you resume.{running}</>;
  }
  if (hub.next_sync_at === null) {
    return <>On. No sync is scheduled.{running}</>;
  }
  return (
    <>
      On. Next sync:{" "}
      <time dateTime={isoTime(hub.next_sync_at)} title={absoluteTime(hub.next_sync_at)}>
        {hub.next_sync_at * 1000 <= nowMs ? "due now" : relativeTime(hub.next_sync_at, nowMs)}
      </time>
      .{running}
    </>
  );
}
