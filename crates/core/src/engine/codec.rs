//! JSON for the engine's stored values (reports, routing, schedules, id lists), so the store
//! reads and writes them without knowing their shape.

use serde::Serialize;
use serde::de::DeserializeOwned;

pub fn encode<T: Serialize>(value: &T) -> String {
    // Serialising these plain data types cannot fail (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_default()
}

pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}
