//! Sign-in renewal reminders. A service's sign-in can end by itself (Spotify's end six months
//! after the user authorised, whatever refreshing does): from 14 days before, the desktop says
//! so once a day, so that an app syncing in the background does not simply start failing one
//! night. The list itself is the shared layer's (`Services::sign_in_renewals`), the same one
//! `syncer connections list` shows.

use std::collections::HashMap;
use std::time::Duration;

use syncer_auth::SignInRenewal;
use syncer_core::ids::ConnectionId;
use tauri::{AppHandle, Manager};

use crate::notify;
use crate::state::AppState;

/// How often the list is read; a reminder is shown at most once a day per connection.
const CHECK_EVERY: Duration = Duration::from_secs(60 * 60);
const DAY: i64 = 24 * 60 * 60;

/// Starts the reminder loop; it ends with the app.
pub fn start(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut told: HashMap<ConnectionId, i64> = HashMap::new();
        loop {
            remind(&app, &mut told).await;
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

async fn remind(app: &AppHandle, told: &mut HashMap<ConnectionId, i64>) {
    let state = app.state::<AppState>();
    let Ok(services) = state.services() else {
        return;
    };
    let renewals = match services.sign_in_renewals().await {
        Ok(renewals) => renewals,
        Err(e) => {
            tracing::warn!(error = %e, "could not read which sign-ins end soon");
            return;
        }
    };
    let today = unix_now().div_euclid(DAY);
    for renewal in due(&renewals, told, today) {
        tracing::info!(connection = %renewal.connection, days_left = renewal.days_left, "sign-in renewal reminder");
        notify::show(title(renewal), renewal.message.clone()).await;
    }
}

/// The renewals not yet told today, marking them told.
fn due<'a>(
    renewals: &'a [SignInRenewal],
    told: &mut HashMap<ConnectionId, i64>,
    today: i64,
) -> Vec<&'a SignInRenewal> {
    renewals
        .iter()
        .filter(|r| told.insert(r.connection.clone(), today) != Some(today))
        .collect()
}

fn title(renewal: &SignInRenewal) -> String {
    if renewal.days_left < 0 {
        format!("{}: sign in again", renewal.display_name)
    } else {
        format!("{}: sign-in to renew", renewal.display_name)
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renewal(id: &str, days_left: i64) -> SignInRenewal {
        SignInRenewal {
            connection: ConnectionId::new(id),
            display_name: format!("Spotify ({id})"),
            provider: "spotify".into(),
            renew_by: 0,
            days_left,
            message: "ends soon".into(),
        }
    }

    #[test]
    fn each_sign_in_is_told_once_a_day() {
        let mut told = HashMap::new();
        let list = vec![renewal("a", 10), renewal("b", -1)];
        assert_eq!(due(&list, &mut told, 100).len(), 2);
        assert!(
            due(&list, &mut told, 100).is_empty(),
            "not twice the same day"
        );
        assert_eq!(due(&list, &mut told, 101).len(), 2, "again the next day");
        assert_eq!(title(&list[1]), "Spotify (b): sign in again");
        assert_eq!(title(&list[0]), "Spotify (a): sign-in to renew");
    }
}
