use syncer_core::filter::*;

const V1_SMART: &str = include_str!("fixtures/v1-smart-playlist.json");
const V1_ANY: &str = include_str!("fixtures/v1-any-minutes.json");
const V2: &str = include_str!("fixtures/v2-current.json");

#[test]
fn schema_1_documents_still_load() {
    let f = from_json(V1_SMART).unwrap();
    assert_eq!(
        query::format(&f),
        r#"genre:"indie rock" artist.none:Coldplay title:!=Intro year:>=2015 duration:<4:30 explicit:false added:<30d release:<2021-01 | limit 50 by -added"#
    );
    let f = from_json(V1_ANY).unwrap();
    assert_eq!(
        query::format(&f),
        "artist:=Beyoncé OR popularity:>70 | limit 1:30:00 by random"
    );
}

#[test]
fn migrated_documents_save_as_the_current_version() {
    let f = from_json(V1_SMART).unwrap();
    let saved = to_json_value(&f);
    assert_eq!(saved["schema_version"], SCHEMA_VERSION);
    assert_eq!(from_json_value(saved).unwrap(), f);
}

#[test]
fn schema_2_fixture_is_the_issue_example() {
    let f = from_json(V2).unwrap();
    let q = r#"genre:"indie rock" year:2015..2020 -explicit (artist:radiohead OR artist:"thom yorke") added:<30d duration:<4:30 | limit 50 by -added"#;
    assert_eq!(f, query::parse(q).unwrap());
    // Saving writes the same document back (field for field).
    let reparsed: serde_json::Value = serde_json::from_str(V2).unwrap();
    assert_eq!(to_json_value(&f), reparsed);
}

#[test]
fn damaged_documents_say_what_is_wrong() {
    let bad_field = r#"{"schema_version": 1, "match": "all", "rules": [{"field": "mood", "operator": "is", "value": "x"}]}"#;
    let err = from_json(bad_field).unwrap_err();
    assert!(err.to_string().contains("unknown field `mood`"), "{err}");
    let bad_date = r#"{"schema_version": 2, "root": {"rule": {"type": "date", "field": "release", "op": {"is": "2015-02-30"}}}}"#;
    assert!(matches!(
        from_json(bad_date),
        Err(LoadError::Invalid { version: 2, .. })
    ));
    let mismatched = r#"{"schema_version": 2, "root": {"rule": {"type": "number", "field": "title", "op": {"eq": 1}}}}"#;
    assert!(from_json(mismatched).is_err());
}
