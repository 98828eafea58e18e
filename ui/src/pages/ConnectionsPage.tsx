import { EmptyState } from "../components/EmptyState";
import { ConnectionsIcon } from "../components/icons";
import { PageHeader } from "../components/PageHeader";

export function ConnectionsPage() {
  return (
    <>
      <PageHeader title="Connections">
        The music services Syncer reads your base playlists from and writes your child playlists to.
      </PageHeader>
      <EmptyState icon={<ConnectionsIcon size={28} />} title="No music services connected yet">
        <p>Connect Spotify (or try the built-in demo library) to pick a base playlist.</p>
        <p className="muted">
          Your sign-in is kept in your system's keyring, never in Syncer's own files.
        </p>
      </EmptyState>
    </>
  );
}
