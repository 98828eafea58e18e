//! What this device says of itself to the server (its device list shows it): a leaf module,
//! so that signing in (device.rs) and joining by code (enroll.rs) share it without either
//! reaching into the other.

use syncer_cloud::model::DeviceDetails;

/// This machine as the server's device list shows it: the OS family and the OS's own name and
/// version where it says (no model: a desktop has none worth telling).
pub(crate) fn this_machine(app_version: Option<String>) -> DeviceDetails {
    DeviceDetails {
        platform: Some(std::env::consts::OS.to_owned()),
        os_version: os_version(),
        model: None,
        app_version,
    }
}

fn os_version() -> Option<String> {
    // Linux distributions describe themselves here; elsewhere the family is enough.
    let text = std::fs::read_to_string("/etc/os-release").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_owned())
        .filter(|v| !v.is_empty())
}
