//! Sync: pull the changes after the cursor and apply those this device has not changed
//! itself, then push what changed here, each write stating the version it replaces. When both
//! sides changed a record, the push is refused by the server and kept as a conflict: nothing
//! is overwritten, and [`CloudDevice::conflicts`] shows both versions.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Serialize;
use syncer_cloud::model::{
    BatchUpload, BatchUploadItem, Conflict, Record, RecordUpload, Resolution, ResolveRequest,
    WriteStatus,
};
use syncer_crypto::{MasterKey, RecordContext, checksum, open_record, seal_record};

use crate::device::{CloudDevice, Ctx, now_ms};
use crate::error::{CloudError, Result};
use crate::payload::{self, Collection, SetupItem};
use crate::state::Tracked;

/// Records per request, both ways.
const PAGE: i64 = 500;

/// What one sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Changes read from the server.
    pub pulled: usize,
    /// Changes from other devices written into the local setup.
    pub applied: usize,
    /// Local items removed because another device deleted them.
    pub removed: usize,
    /// Local changes uploaded.
    pub pushed: usize,
    /// Local deletions uploaded.
    pub deleted: usize,
    /// New conflicts from this sync.
    pub new_conflicts: usize,
    /// Conflicts waiting for a choice.
    pub open_conflicts: usize,
    pub cursor: i64,
}

/// A conflict, opened on this device: both versions as the setup they describe.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictView {
    pub id: String,
    pub collection: String,
    /// "base Road trip (37i9…)".
    pub what: String,
    /// The refused version (`None`: it was a deletion), written by `refused_by`.
    pub local: Option<serde_json::Value>,
    /// The device whose write was refused.
    pub refused_by: String,
    /// Whether that device is this one (else `local` is another device's version, and
    /// [`Choice::Local`] keeps what this device holds now).
    pub refused_here: bool,
    /// The server's version (`None`: deleted there).
    pub remote: Option<serde_json::Value>,
    pub remote_version: i64,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub resolution: Option<Resolution>,
    /// What can be chosen: local wins, remote wins, merged, manual.
    pub choices: Vec<Resolution>,
}

/// A choice for a conflict.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// Keep this device's version (as it is now on this device).
    Local,
    /// Keep the server's version, and apply it here.
    Remote,
    /// Store a merge of both (a setup item as JSON, as [`ConflictView`] shows them).
    Merged(serde_json::Value),
    /// Store a version edited by hand (same form).
    Manual(serde_json::Value),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolveReport {
    pub conflict_id: String,
    pub resolution: Resolution,
    pub version: i64,
}

fn corrupt(what: String) -> CloudError {
    CloudError::Crypto(syncer_crypto::CryptoError::Corrupt { what })
}

fn open_record_of(
    master: &MasterKey,
    record: &Record,
) -> Result<Option<(Collection, SetupItem, Vec<u8>)>> {
    open(master, record)
}

/// Opens a record from the server and checks it is what its id says.
fn open(master: &MasterKey, record: &Record) -> Result<Option<(Collection, SetupItem, Vec<u8>)>> {
    let Some(collection) = Collection::parse(&record.collection) else {
        tracing::warn!(collection = %record.collection, "skipping a record of a kind this version does not know");
        return Ok(None);
    };
    let Some(text) = &record.ciphertext else {
        return Ok(None);
    };
    let sealed = B64
        .decode(text)
        .map_err(|_| corrupt(format!("record {} is not base64", record.record_id)))?;
    let version = u64::try_from(record.version).unwrap_or(0);
    let plain = open_record(
        master,
        &RecordContext {
            collection: &record.collection,
            record_id: &record.record_id,
            version,
            device: &record.device_id,
        },
        &sealed,
    )
    .map_err(CloudError::from_crypto)?;
    let item = SetupItem::from_plaintext(&plain)?;
    if master.record_id(collection.as_str(), item.natural_id()) != record.record_id
        || item.collection() != collection
    {
        return Err(corrupt(format!(
            "record {} holds another record's content",
            record.record_id
        )));
    }
    Ok(Some((collection, item, plain)))
}

fn seal(
    master: &MasterKey,
    ctx: &Ctx,
    collection: Collection,
    record_id: &str,
    base_version: i64,
    plaintext: &[u8],
) -> RecordUpload {
    let sealed = seal_record(
        master,
        &RecordContext {
            collection: collection.as_str(),
            record_id,
            version: u64::try_from(base_version + 1).unwrap_or(1),
            device: &ctx.state.device_id,
        },
        plaintext,
    );
    RecordUpload {
        base_version,
        key_id: master.key_id().to_string(),
        checksum: checksum(&sealed),
        ciphertext: B64.encode(&sealed),
    }
}

/// What an exchange with the server does: a sync pulls and pushes; a live event's wake-up
/// only pulls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Both,
    PullOnly,
}

impl CloudDevice {
    /// Brings this device and the server in step: pull, then push.
    pub async fn sync(&self) -> Result<SyncReport> {
        self.exchange(Direction::Both).await
    }

    /// Pulls and applies what other devices changed, without pushing (what a live event
    /// triggers).
    pub async fn pull_changes(&self) -> Result<SyncReport> {
        self.exchange(Direction::PullOnly).await
    }

    async fn exchange(&self, direction: Direction) -> Result<SyncReport> {
        let _busy = self.lock().await;
        let master = self.master().await?;
        let mut ctx = self.ctx().await?;
        self.check_account_key(&mut ctx, &master).await?;
        let mut report = SyncReport::default();
        self.settle_resolved_elsewhere(&mut ctx, &master, &mut report)
            .await?;
        self.pull(&mut ctx, &master, &mut report).await?;
        if direction == Direction::Both {
            // The pull is saved before the push: a failed push then repeats only itself.
            self.save(&ctx.state).await?;
            self.push(&mut ctx, &master, &mut report).await?;
        }
        ctx.state.last_sync_at = Some(now_ms());
        self.save(&ctx.state).await?;
        report.cursor = ctx.state.cursor;
        report.open_conflicts = ctx
            .state
            .records
            .values()
            .filter(|t| t.conflict_id.is_some())
            .count();
        tracing::info!(?report, ?direction, "cloud exchange done");
        Ok(report)
    }

    /// A conflict this device is waiting on may have been settled on another device: that
    /// choice stands, so the record's current version is applied here and pushing resumes.
    async fn settle_resolved_elsewhere(
        &self,
        ctx: &mut Ctx,
        master: &MasterKey,
        report: &mut SyncReport,
    ) -> Result<()> {
        let waiting: Vec<(String, Tracked)> = ctx
            .state
            .records
            .iter()
            .filter(|(_, t)| t.conflict_id.is_some())
            .map(|(id, t)| (id.clone(), t.clone()))
            .collect();
        if waiting.is_empty() {
            return Ok(());
        }
        let open: std::collections::HashSet<String> = self
            .authed(ctx, |api, t| async move { api.conflicts(&t, false).await })
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        for (record_id, tracked) in waiting {
            if tracked
                .conflict_id
                .as_ref()
                .is_some_and(|id| open.contains(id))
            {
                continue;
            }
            let Some(collection) = Collection::parse(&tracked.collection) else {
                continue;
            };
            let (c, id) = (tracked.collection.clone(), record_id.clone());
            let record = self
                .authed(ctx, |api, t| {
                    let (c, id) = (c.clone(), id.clone());
                    async move { api.get_record(&t, &c, &id).await }
                })
                .await?;
            match record.as_ref().map(|r| (r, open_record_of(master, r))) {
                Some((r, Ok(Some((_, item, plain))))) => {
                    payload::apply(&self.store, &item).await?;
                    report.applied += 1;
                    ctx.state.records.insert(
                        record_id,
                        Tracked {
                            collection: tracked.collection,
                            natural_id: item.natural_id().to_owned(),
                            version: r.version,
                            hash: payload::hash(&plain),
                            conflict_id: None,
                        },
                    );
                }
                Some((_, Err(e))) => return Err(e),
                // Deleted there (or gone with the data): deleted here too.
                _ => {
                    payload::remove(&self.store, collection, &tracked.natural_id).await?;
                    report.removed += 1;
                    ctx.state.records.remove(&record_id);
                }
            }
        }
        Ok(())
    }

    async fn pull(&self, ctx: &mut Ctx, master: &MasterKey, report: &mut SyncReport) -> Result<()> {
        let mut cursor = ctx.state.cursor;
        let mut changes: Vec<Record> = Vec::new();
        loop {
            let page = self
                .authed(
                    ctx,
                    |api, t| async move { api.changes(&t, cursor, PAGE).await },
                )
                .await?;
            changes.extend(page.changes);
            cursor = page.cursor;
            if !page.has_more {
                break;
            }
        }
        report.pulled = changes.len();
        let local = payload::snapshot(&self.store).await?;
        let local_hash = |collection: Collection, natural: &str| {
            local
                .get(&(collection, natural.to_owned()))
                .map(|item| payload::hash(&item.to_plaintext()))
        };

        let mut to_apply: Vec<(String, SetupItem, i64, String)> = Vec::new();
        let mut to_remove: Vec<(String, Collection, String)> = Vec::new();
        for record in &changes {
            let tracked = ctx.state.records.get(&record.record_id);
            if tracked.is_some_and(|t| t.version >= record.version) {
                continue; // our own write coming back, or already applied
            }
            if record.deleted {
                let Some(t) = tracked else { continue };
                let Some(collection) = Collection::parse(&t.collection) else {
                    continue;
                };
                match local_hash(collection, &t.natural_id) {
                    // Changed here since: keep it; the push turns it into a conflict.
                    Some(h) if h != t.hash => {}
                    Some(_) => {
                        to_remove.push((
                            record.record_id.clone(),
                            collection,
                            t.natural_id.clone(),
                        ));
                    }
                    None => {
                        ctx.state.records.remove(&record.record_id);
                    }
                }
                continue;
            }
            let Some((collection, item, plain)) = open(master, record)? else {
                continue;
            };
            let remote_hash = payload::hash(&plain);
            let here = local_hash(collection, item.natural_id());
            let synced = tracked.map(|t| t.hash.clone());
            let conflict_id = tracked.and_then(|t| t.conflict_id.clone());
            if here.as_deref() == Some(remote_hash.as_str()) {
                // Both sides hold the same: adopt the version, nothing to write.
                ctx.state.records.insert(
                    record.record_id.clone(),
                    Tracked {
                        collection: collection.as_str().to_owned(),
                        natural_id: item.natural_id().to_owned(),
                        version: record.version,
                        hash: remote_hash,
                        conflict_id,
                    },
                );
                continue;
            }
            let changed_here = match (&here, &synced) {
                (Some(h), Some(s)) => h != s,
                (Some(_), None) => true, // made here, never synced
                (None, Some(_)) => true, // deleted here since
                (None, None) => false,   // new from elsewhere
            };
            if changed_here {
                continue;
            }
            to_apply.push((record.record_id.clone(), item, record.version, remote_hash));
        }

        to_apply.sort_by_key(|(_, item, _, _)| item.collection());
        for (record_id, item, version, hash) in to_apply {
            payload::apply(&self.store, &item).await?;
            report.applied += 1;
            ctx.state.records.insert(
                record_id,
                Tracked {
                    collection: item.collection().as_str().to_owned(),
                    natural_id: item.natural_id().to_owned(),
                    version,
                    hash,
                    conflict_id: None,
                },
            );
        }
        to_remove.sort_by_key(|(_, collection, _)| std::cmp::Reverse(*collection));
        for (record_id, collection, natural) in to_remove {
            payload::remove(&self.store, collection, &natural).await?;
            report.removed += 1;
            ctx.state.records.remove(&record_id);
        }
        ctx.state.cursor = cursor;
        Ok(())
    }

    async fn push(&self, ctx: &mut Ctx, master: &MasterKey, report: &mut SyncReport) -> Result<()> {
        let local = payload::snapshot(&self.store).await?;
        let mut uploads: Vec<(BatchUploadItem, Tracked)> = Vec::new();
        let mut present = std::collections::HashSet::new();
        for ((collection, natural), item) in &local {
            let record_id = master.record_id(collection.as_str(), natural);
            present.insert(record_id.clone());
            let plain = item.to_plaintext();
            let hash = payload::hash(&plain);
            let tracked = ctx.state.records.get(&record_id);
            let base = match tracked {
                Some(t) if t.hash == hash || t.conflict_id.is_some() => continue,
                Some(t) => t.version,
                None => 0,
            };
            let upload = seal(master, ctx, *collection, &record_id, base, &plain);
            uploads.push((
                BatchUploadItem {
                    collection: collection.as_str().to_owned(),
                    record_id,
                    upload,
                },
                Tracked {
                    collection: collection.as_str().to_owned(),
                    natural_id: natural.clone(),
                    version: base,
                    hash,
                    conflict_id: None,
                },
            ));
        }

        for chunk in uploads.chunks(usize::try_from(PAGE).unwrap_or(500)) {
            let body = BatchUpload {
                records: chunk.iter().map(|(item, _)| item.clone()).collect(),
            };
            let result = self
                .authed(ctx, |api, t| {
                    let body = body.clone();
                    async move { api.batch(&t, &body).await }
                })
                .await?;
            for ((item, tracked), outcome) in chunk.iter().zip(result.results) {
                let mut next = tracked.clone();
                match outcome.status {
                    WriteStatus::Stored => {
                        next.version = outcome.version;
                        report.pushed += 1;
                    }
                    WriteStatus::Conflict => {
                        // Keep what this device last synced; the conflict holds the rest.
                        let previous = ctx.state.records.get(&item.record_id);
                        next.hash = previous.map(|p| p.hash.clone()).unwrap_or_default();
                        next.conflict_id = outcome.conflict_id;
                        report.new_conflicts += 1;
                    }
                }
                ctx.state.records.insert(item.record_id.clone(), next);
            }
            // Saved per batch: an interrupted push does not upload the same writes again.
            self.save(&ctx.state).await?;
        }

        let deleted: Vec<(String, Tracked)> = ctx
            .state
            .records
            .iter()
            .filter(|(id, t)| !present.contains(*id) && t.conflict_id.is_none())
            .map(|(id, t)| (id.clone(), t.clone()))
            .collect();
        for (record_id, tracked) in deleted {
            let (collection, id, base) = (
                tracked.collection.clone(),
                record_id.clone(),
                tracked.version,
            );
            let outcome = self
                .authed(ctx, |api, t| {
                    let (collection, id) = (collection.clone(), id.clone());
                    async move { api.delete_record(&t, &collection, &id, base).await }
                })
                .await;
            match outcome {
                Ok(_) => {
                    ctx.state.records.remove(&record_id);
                    report.deleted += 1;
                }
                Err(CloudError::Api { code, details, .. }) if code == "version_conflict" => {
                    let mut next = tracked;
                    next.conflict_id = details["conflict_id"].as_str().map(str::to_owned);
                    ctx.state.records.insert(record_id, next);
                    report.new_conflicts += 1;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Conflicts with both versions opened (`all`: with the resolved ones, the history).
    pub async fn conflicts(&self, all: bool) -> Result<Vec<ConflictView>> {
        let _busy = self.lock().await;
        let master = self.master().await?;
        let mut ctx = self.ctx().await?;
        let list = self
            .authed(
                &mut ctx,
                |api, t| async move { api.conflicts(&t, all).await },
            )
            .await?;
        let here = ctx.state.device_id.clone();
        list.iter().map(|c| view(&master, c, &here)).collect()
    }

    /// Settles a conflict with `choice`, on the server and here.
    pub async fn resolve(&self, conflict_id: &str, choice: Choice) -> Result<ResolveReport> {
        let _busy = self.lock().await;
        let master = self.master().await?;
        let mut ctx = self.ctx().await?;
        let list = self
            .authed(
                &mut ctx,
                |api, t| async move { api.conflicts(&t, false).await },
            )
            .await?;
        let conflict = list
            .into_iter()
            .find(|c| c.id == conflict_id)
            .ok_or_else(|| CloudError::Invalid(format!("no open conflict {conflict_id}")))?;
        let collection = Collection::parse(&conflict.collection).ok_or_else(|| {
            CloudError::Invalid(format!(
                "conflicts in {} need a newer Syncer",
                conflict.collection
            ))
        })?;
        let remote_version = conflict.remote.as_ref().map_or(0, |r| r.version);
        let remote = match &conflict.remote {
            Some(r) => open(&master, r)?.map(|(_, item, _)| item),
            None => None,
        };
        let refused = view(&master, &conflict, &ctx.state.device_id)?.local;
        let natural = remote
            .as_ref()
            .map(|i| i.natural_id().to_owned())
            .or_else(|| {
                ctx.state
                    .records
                    .get(&conflict.record_id)
                    .map(|t| t.natural_id.clone())
            })
            .or_else(|| {
                refused
                    .as_ref()
                    .and_then(|v| SetupItem::from_plaintext(v.to_string().as_bytes()).ok())
                    .map(|i| i.natural_id().to_owned())
            })
            .ok_or_else(|| {
                CloudError::Invalid("the conflicting record cannot be identified".to_owned())
            })?;

        // What to store, if anything.
        let (resolution, stored): (Resolution, Option<Option<SetupItem>>) = match choice {
            Choice::Remote => (Resolution::RemoteWins, None),
            Choice::Local => {
                let local = payload::snapshot(&self.store).await?;
                (
                    Resolution::LocalWins,
                    Some(local.get(&(collection, natural.clone())).cloned()),
                )
            }
            Choice::Merged(value) => (
                Resolution::Merged,
                Some(Some(item_from_json(&value, collection, &natural)?)),
            ),
            Choice::Manual(value) => (
                Resolution::Manual,
                Some(Some(item_from_json(&value, collection, &natural)?)),
            ),
        };
        let request = match &stored {
            None => ResolveRequest {
                resolution,
                record: None,
                delete: false,
            },
            Some(None) => ResolveRequest {
                resolution,
                record: None,
                delete: true,
            },
            Some(Some(item)) => ResolveRequest {
                resolution,
                record: Some(seal(
                    &master,
                    &ctx,
                    collection,
                    &conflict.record_id,
                    remote_version,
                    &item.to_plaintext(),
                )),
                delete: false,
            },
        };
        let id = conflict_id.to_owned();
        let resolved = self
            .authed(&mut ctx, |api, t| {
                let (id, request) = (id.clone(), request.clone());
                async move { api.resolve(&t, &id, &request).await }
            })
            .await
            .map_err(|e| match e {
                CloudError::Api { code, .. } if code == "version_conflict" => CloudError::Invalid(
                    "the record changed again on another device: sync, then look at the conflict again"
                        .to_owned(),
                ),
                other => other,
            })?;

        // Make this device match what won.
        let winner = match stored {
            None => remote,
            Some(item) => item,
        };
        match winner {
            Some(item) => {
                payload::apply(&self.store, &item).await?;
                ctx.state.records.insert(
                    conflict.record_id.clone(),
                    Tracked {
                        collection: collection.as_str().to_owned(),
                        natural_id: natural,
                        version: resolved.version,
                        hash: payload::hash(&item.to_plaintext()),
                        conflict_id: None,
                    },
                );
            }
            None => {
                payload::remove(&self.store, collection, &natural).await?;
                ctx.state.records.remove(&conflict.record_id);
            }
        }
        self.save(&ctx.state).await?;
        Ok(ResolveReport {
            conflict_id: resolved.conflict_id,
            resolution: resolved.resolution,
            version: resolved.version,
        })
    }
}

fn item_from_json(
    value: &serde_json::Value,
    collection: Collection,
    natural: &str,
) -> Result<SetupItem> {
    let mut value = value.clone();
    if let Some(object) = value.as_object_mut() {
        object.entry("format").or_insert(payload::FORMAT.into());
        object.entry("v").or_insert(payload::VERSION.into());
    }
    let item = SetupItem::from_plaintext(value.to_string().as_bytes())?;
    if item.collection() != collection || item.natural_id() != natural {
        return Err(CloudError::Invalid(format!(
            "the merged version must be the same {} ({natural}), not {}",
            collection.as_str(),
            item.describe()
        )));
    }
    Ok(item)
}

fn view(master: &MasterKey, c: &Conflict, this_device: &str) -> Result<ConflictView> {
    let local = match &c.local.ciphertext {
        Some(text) => {
            let sealed = B64
                .decode(text)
                .map_err(|_| corrupt(format!("conflict {} is not base64", c.id)))?;
            let plain = open_record(
                master,
                &RecordContext {
                    collection: &c.collection,
                    record_id: &c.record_id,
                    version: u64::try_from(c.base_version + 1).unwrap_or(1),
                    device: &c.local.device_id,
                },
                &sealed,
            )
            .map_err(CloudError::from_crypto)?;
            Some(SetupItem::from_plaintext(&plain)?)
        }
        None => None,
    };
    let remote = match &c.remote {
        Some(r) => open(master, r)?.map(|(_, item, _)| item),
        None => None,
    };
    let what = local
        .as_ref()
        .or(remote.as_ref())
        .map_or_else(|| format!("{} record", c.collection), SetupItem::describe);
    Ok(ConflictView {
        id: c.id.clone(),
        collection: c.collection.clone(),
        what,
        local: local.as_ref().map(SetupItem::to_json),
        refused_by: c.local.device_id.clone(),
        refused_here: c.local.device_id == this_device,
        remote: remote.as_ref().map(SetupItem::to_json),
        remote_version: c.remote.as_ref().map_or(0, |r| r.version),
        created_at: c.created_at,
        resolved_at: c.resolved_at,
        resolution: c.resolution,
        choices: vec![
            Resolution::LocalWins,
            Resolution::RemoteWins,
            Resolution::Merged,
            Resolution::Manual,
        ],
    })
}
