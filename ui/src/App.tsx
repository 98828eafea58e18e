import type { AppInfoResult } from "./api/appInfo";
import type { ConnectionsApi } from "./api/connections";
import { Sidebar } from "./components/Sidebar";
import { ConnectionsPage } from "./pages/ConnectionsPage";
import { HistoryPage } from "./pages/HistoryPage";
import { PlaylistsPage } from "./pages/PlaylistsPage";
import { SettingsPage } from "./pages/SettingsPage";
import type { Route } from "./routes";
import { useTheme } from "./theme";
import { useRoute } from "./useRoute";

type AppProps = {
  /** Replaces the Tauri call in tests and previews. */
  loadAppInfo?: (() => Promise<AppInfoResult>) | undefined;
  /** Replaces the connection commands and events in tests and previews. */
  connectionsApi?: ConnectionsApi | undefined;
};

export function App({ loadAppInfo, connectionsApi }: AppProps) {
  // The theme chosen in Settings (or the system's), applied before anything else shows.
  useTheme();
  const route = useRoute();
  return (
    <div className="app">
      <Sidebar current={route} />
      {/* Keyed by route so each page starts fresh, scrolled to the top. */}
      <main className="content" aria-labelledby="page-title" key={route}>
        <div className="page">
          <Page route={route} loadAppInfo={loadAppInfo} connectionsApi={connectionsApi} />
        </div>
      </main>
    </div>
  );
}

function Page({ route, loadAppInfo, connectionsApi }: AppProps & { route: Route }) {
  switch (route) {
    case "connections":
      return <ConnectionsPage api={connectionsApi} />;
    case "playlists":
      return <PlaylistsPage />;
    case "history":
      return <HistoryPage />;
    case "settings":
      return <SettingsPage loadAppInfo={loadAppInfo} connectionsApi={connectionsApi} />;
  }
}
