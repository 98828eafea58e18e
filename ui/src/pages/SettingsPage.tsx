import type { AppInfoResult } from "../api/appInfo";
import type { ConnectionsApi } from "../api/connections";
import { DataLocations } from "../components/DataLocations";
import { EmptyState } from "../components/EmptyState";
import { SettingsIcon } from "../components/icons";
import { PageHeader } from "../components/PageHeader";
import { SpotifySettings } from "../components/SpotifySettings";

type SettingsPageProps = {
  loadAppInfo?: (() => Promise<AppInfoResult>) | undefined;
  /** Replaces the Tauri commands in tests and previews. */
  connectionsApi?: ConnectionsApi | undefined;
};

export function SettingsPage({ loadAppInfo, connectionsApi }: SettingsPageProps) {
  return (
    <>
      <PageHeader title="Settings">
        How and when Syncer works, and where it keeps its files.
      </PageHeader>
      <SpotifySettings api={connectionsApi} />
      <EmptyState compact icon={<SettingsIcon size={22} />} title="More settings are on the way">
        <p>
          Sync schedules, background sync and notifications arrive with the system tray. The theme
          follows your system for now.
        </p>
      </EmptyState>
      <DataLocations load={loadAppInfo} />
    </>
  );
}
