import { EmptyState } from "../components/EmptyState";
import { HistoryIcon } from "../components/icons";
import { PageHeader } from "../components/PageHeader";

export function HistoryPage() {
  return (
    <>
      <PageHeader title="History">
        Every sync, whether you started it, a schedule did, or the base playlist changed.
      </PageHeader>
      <EmptyState icon={<HistoryIcon size={28} />} title="No syncs yet">
        <p>
          Sync events will be listed here with their stats: tracks added to and removed from each
          child, items skipped and why, requests made, and how long each sync took.
        </p>
        <p className="muted">If a sync stops part-way, you'll see which children it reached.</p>
      </EmptyState>
    </>
  );
}
