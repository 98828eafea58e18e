import { BaseChildrenDiagram } from "../components/BaseChildrenDiagram";
import { EmptyState } from "../components/EmptyState";
import { PlaylistsIcon } from "../components/icons";
import { PageHeader } from "../components/PageHeader";

export function PlaylistsPage() {
  return (
    <>
      <PageHeader title="Playlists">
        Your base playlists and the child playlists Syncer fills from them.
      </PageHeader>
      <EmptyState
        icon={<PlaylistsIcon size={28} />}
        title="No base playlist yet"
        figure={<BaseChildrenDiagram />}
        hint="Connect a music service first, then pick a base here."
      >
        <p>
          A <strong>base</strong> is a big playlist you already have, like your liked songs.{" "}
          <strong>Children</strong> are smaller playlists described by rules, such as “indie rock
          from 2015 to 2020, no explicit tracks”. Syncer fills each child with the matching tracks
          from its base and keeps it in step as the base changes.
        </p>
      </EmptyState>
    </>
  );
}
