//! Offset paging: page sizes, the offsets still to fetch once the first page told the total,
//! and the `fields` projections that keep item pages small.

use crate::config::MAX_PAGE_SIZE;

/// The two generations of playlist item endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Generation {
    /// `/playlists/{id}/items`, entries carry `item`.
    Items,
    /// `/playlists/{id}/tracks`, entries carry `track` (legacy).
    Tracks,
}

impl Generation {
    pub fn path(self) -> &'static str {
        match self {
            Generation::Items => "items",
            Generation::Tracks => "tracks",
        }
    }

    pub fn get_endpoint(self) -> &'static str {
        match self {
            Generation::Items => "GET /playlists/{id}/items",
            Generation::Tracks => "GET /playlists/{id}/tracks",
        }
    }

    pub fn post_endpoint(self) -> &'static str {
        match self {
            Generation::Items => "POST /playlists/{id}/items",
            Generation::Tracks => "POST /playlists/{id}/tracks",
        }
    }

    pub fn put_endpoint(self) -> &'static str {
        match self {
            Generation::Items => "PUT /playlists/{id}/items",
            Generation::Tracks => "PUT /playlists/{id}/tracks",
        }
    }

    pub fn delete_endpoint(self) -> &'static str {
        match self {
            Generation::Items => "DELETE /playlists/{id}/items",
            Generation::Tracks => "DELETE /playlists/{id}/tracks",
        }
    }

    /// The `fields` projection for item pages: exactly what routing and filters read.
    pub fn projection(self) -> String {
        let content = match self {
            Generation::Items => "item",
            Generation::Tracks => "track",
        };
        format!(
            "items(added_at,added_by.id,is_local,{content}(type,id,uri,name,is_local,is_playable,\
             duration_ms,explicit,popularity,track_number,disc_number,external_ids.isrc,\
             linked_from.id,artists(id,name),album(id,name,album_type,release_date,\
             release_date_precision,artists(id,name)))),total,next"
        )
    }
}

/// A page size the service accepts.
pub(crate) fn page_size(requested: u32) -> u32 {
    requested.clamp(1, MAX_PAGE_SIZE)
}

/// Offsets of the pages after the first, given the total the first page reported.
pub(crate) fn remaining_offsets(first_len: u32, total: u32, size: u32) -> Vec<u32> {
    if first_len == 0 {
        // An empty first page ends the listing, whatever the total claims.
        return Vec::new();
    }
    let size = page_size(size);
    (first_len..total)
        .step_by(usize::try_from(size).unwrap_or(1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_cover_the_rest_once() {
        assert_eq!(remaining_offsets(50, 120, 50), vec![50, 100]);
        assert_eq!(remaining_offsets(50, 50, 50), Vec::<u32>::new());
        assert_eq!(remaining_offsets(3, 3, 50), Vec::<u32>::new());
        assert_eq!(remaining_offsets(0, 0, 50), Vec::<u32>::new());
        assert_eq!(remaining_offsets(0, 10, 50), Vec::<u32>::new());
        // The service may return a short first page: continue right after it.
        assert_eq!(remaining_offsets(40, 100, 50), vec![40, 90]);
    }

    #[test]
    fn page_size_stays_within_the_contract() {
        assert_eq!(page_size(0), 1);
        assert_eq!(page_size(100), 50);
        assert_eq!(page_size(20), 20);
    }

    #[test]
    fn projections_name_their_generation() {
        assert!(Generation::Items.projection().contains(",item(type,id"));
        assert!(Generation::Tracks.projection().contains(",track(type,id"));
    }
}
