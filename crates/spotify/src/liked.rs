//! Liked Songs (`GET /me/tracks`, scope `user-library-read`) read as a base.
//!
//! **Change detection.** Saved tracks have no `snapshot_id`, so the client makes one from the
//! cheapest request that can tell: the first page with `limit=1`, giving the `total` and the
//! newest `added_at` (the list is newest first). Saving a track moves the newest `added_at`
//! forward; removing one lowers the total. What it misses: a removal together with an
//! addition that does not become the newest (an import may back-date `added_at`), or whose
//! `added_at` equals the old newest to the second, keeps both numbers. So the version also
//! carries the current period of [`crate::ClientConfig::liked_full_read_every`] (24 hours by
//! default): once per period it changes whatever happened, and the next sync reads Liked
//! Songs in full and routes them (writing only what differs). A miss therefore lasts at most
//! one period. "Unchanged" costs exactly this one request and no writes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use syncer_core::ids::SnapshotId;

/// The endpoint key requests to Liked Songs are counted under.
pub const LIKED_SONGS_ENDPOINT: &str = "GET /me/tracks";

/// The permission Liked Songs need.
pub const USER_LIBRARY_READ: &str = "user-library-read";

/// The synthetic version of Liked Songs from the first page (`limit=1`): `total`, the newest
/// `added_at` (absent when empty), and the full-read period `now` falls in.
pub(crate) fn liked_snapshot(
    total: u32,
    newest_added_at: Option<&str>,
    now: SystemTime,
    full_read_every: Duration,
) -> SnapshotId {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let period = secs / full_read_every.as_secs().max(1);
    SnapshotId::new(format!(
        "liked:{total}:{}:{period}",
        newest_added_at.unwrap_or("-")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn the_version_follows_total_newest_and_period() {
        let t = at(1_800_000_000);
        let a = liked_snapshot(10, Some("2026-01-01T00:00:00Z"), t, DAY);
        assert_eq!(a, liked_snapshot(10, Some("2026-01-01T00:00:00Z"), t, DAY));
        // Same period, a little later: unchanged.
        let later = at(1_800_000_000 - 1_800_000_000 % 86_400 + 86_399);
        assert_eq!(
            liked_snapshot(10, Some("2026-01-01T00:00:00Z"), later, DAY),
            liked_snapshot(
                10,
                Some("2026-01-01T00:00:00Z"),
                at(1_800_000_000 - 1_800_000_000 % 86_400),
                DAY
            )
        );
        assert_ne!(a, liked_snapshot(11, Some("2026-01-01T00:00:00Z"), t, DAY));
        assert_ne!(a, liked_snapshot(10, Some("2026-01-02T00:00:00Z"), t, DAY));
        // The next period forces a full read even when nothing seems to have changed.
        assert_ne!(
            a,
            liked_snapshot(10, Some("2026-01-01T00:00:00Z"), t + DAY, DAY)
        );
        assert_eq!(liked_snapshot(0, None, at(0), DAY).as_str(), "liked:0:-:0");
        // A zero period cannot divide by zero.
        let _ = liked_snapshot(0, None, t, Duration::ZERO);
    }
}
