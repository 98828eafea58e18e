import type { AppInfoResult } from "../api/appInfo";
import { DataLocations } from "../components/DataLocations";
import { EmptyState } from "../components/EmptyState";
import { SettingsIcon } from "../components/icons";
import { PageHeader } from "../components/PageHeader";

type SettingsPageProps = { loadAppInfo?: (() => Promise<AppInfoResult>) | undefined };

export function SettingsPage({ loadAppInfo }: SettingsPageProps) {
  return (
    <>
      <PageHeader title="Settings">
        How and when Syncer works, and where it keeps its files.
      </PageHeader>
      <EmptyState compact icon={<SettingsIcon size={22} />} title="More settings are on the way">
        <p>
          Sync schedules, background sync from the system tray, notifications, the theme (it follows
          your system for now), and your data &amp; logs will be managed here.
        </p>
      </EmptyState>
      <DataLocations load={loadAppInfo} />
    </>
  );
}
