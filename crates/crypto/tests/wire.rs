//! Wire-format and known-answer tests. The pinned values below are the format: a change that
//! breaks one of them breaks every record and key bundle already stored, so it needs a new
//! format version, not a new pin.
#![allow(clippy::unwrap_used)]

use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use syncer_crypto::testing::{create_with, seal_record_with};
use syncer_crypto::{
    CryptoError, KdfParams, KeyBundle, KeyId, MasterKey, Passphrase, RECORD_HEADER_LEN,
    RECORD_MAGIC, RecordContext, RecoveryCode, checksum, open_record, record_key_id,
};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

const CONTEXT: RecordContext<'static> = RecordContext {
    collection: "bases",
    record_id: "37i9dQZF1DXcBWIGoYBM5M",
    version: 4,
    device: "dev-0123",
};

fn fixed_master() -> MasterKey {
    MasterKey::from_bytes(std::array::from_fn(|i| i as u8))
}

// ---- known answers of the primitives (published test vectors) --------------------------

#[test]
fn aes_256_gcm_matches_the_published_vectors() {
    // McGrew & Viega's GCM spec, test cases 13 and 14 (256-bit zero key, zero IV).
    let cipher = Aes256Gcm::new(&[0u8; 32].into());
    let nonce = Nonce::from_slice(&[0u8; 12]);
    let empty = cipher.encrypt(nonce, &b""[..]).unwrap();
    assert_eq!(hex(&empty), "530f8afbc74536b9a963b4f1c4cb738b");
    let block = cipher.encrypt(nonce, &[0u8; 16][..]).unwrap();
    assert_eq!(
        hex(&block),
        "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919"
    );
    let with_aad = cipher
        .encrypt(nonce, Payload { msg: b"", aad: b"" })
        .unwrap();
    assert_eq!(with_aad, empty);
}

#[test]
fn argon2id_matches_rfc_9106() {
    // RFC 9106 section 5.3: Argon2id, m=32 KiB, t=3, p=4, with secret and associated data.
    let params = argon2::ParamsBuilder::new()
        .m_cost(32)
        .t_cost(3)
        .p_cost(4)
        .output_len(32)
        .data(argon2::AssociatedData::new(&[4u8; 12]).unwrap())
        .build()
        .unwrap();
    let secret = [3u8; 8];
    let argon = argon2::Argon2::new_with_secret(
        &secret,
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    )
    .unwrap();
    let mut out = [0u8; 32];
    argon
        .hash_password_into(&[1u8; 32], &[2u8; 16], &mut out)
        .unwrap();
    assert_eq!(
        hex(&out),
        "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
    );
}

#[test]
fn hkdf_sha256_matches_rfc_5869() {
    // RFC 5869 appendix A.1.
    let hk =
        hkdf::Hkdf::<sha2::Sha256>::new(Some(&unhex("000102030405060708090a0b0c")), &[0x0b; 22]);
    let mut okm = [0u8; 42];
    hk.expand(&unhex("f0f1f2f3f4f5f6f7f8f9"), &mut okm).unwrap();
    assert_eq!(
        hex(&okm),
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    );
}

#[test]
fn checksums_are_sha_256_hex() {
    assert_eq!(
        checksum(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

// ---- Syncer's own encodings, pinned -----------------------------------------------------

const PINNED_KEY_ID: &str = "7cbdf331e4d9caeb";
const PINNED_RECORD: &str = "535952017cbdf331e4d9caeb2222222222222222222222226c052fd77fe18b0b968c9ebb9ee8f36cd777761c0a95c4a6b7e335bb99b8a07a65a3d7089a691fcbf8783115a135b875333333333333333333333333ffa13c27a7f7571690ea840cc30b975a6fb82d498595c15dbceb56c2c37358706b5db2fe";

#[test]
fn the_key_id_is_pinned() {
    assert_eq!(fixed_master().key_id().as_str(), PINNED_KEY_ID);
}

#[test]
fn a_sealed_record_is_pinned_byte_for_byte() {
    let sealed = seal_record_with(
        &fixed_master(),
        &CONTEXT,
        br#"{"name":"Road trip"}"#,
        &[0x11; 32],
        [0x22; 12],
        [0x33; 12],
    );
    assert_eq!(hex(&sealed), PINNED_RECORD);
    assert_eq!(sealed[..4], RECORD_MAGIC);
    assert_eq!(sealed.len(), RECORD_HEADER_LEN + 20 + 16);
    assert_eq!(record_key_id(&sealed).unwrap().as_str(), PINNED_KEY_ID);
}

#[test]
fn the_pinned_record_still_opens() {
    let plain = open_record(&fixed_master(), &CONTEXT, &unhex(PINNED_RECORD)).unwrap();
    assert_eq!(plain, br#"{"name":"Road trip"}"#);
}

const PINNED_BUNDLE: &str = r#"{"format":"syncer-key-bundle","version":1,"key_id":"7cbdf331e4d9caeb","passphrase":{"kdf":{"algorithm":"argon2id","version":19,"m_cost":64,"t_cost":1,"p_cost":1,"salt":"RERERERERERERERERERERA=="},"check":"LBPCyOhaVLLrDVcoTHk88A==","nonce":"VVVVVVVVVVVVVVVV","ciphertext":"3kAv/lgy+mh9TH0jT8GF5Rk67qukg6Ydimi2p0qMH0a5dl9E4H/J7ob0VIbcOM7w"},"recovery":{"kdf":{"algorithm":"hkdf-sha256","salt":"d3d3d3d3d3d3d3d3d3d3dw=="},"check":"fQu5J+byTD3A+R4DoU8Nrw==","nonce":"iIiIiIiIiIiIiIiI","ciphertext":"Th3poJQoBeIj8c3FRKHUjCFefguS12+fVUQPyuxr2YHUgHvURCWEaAzEekpm/pG5"}}"#;

fn pinned_keys() -> syncer_crypto::NewKeys {
    create_with(
        fixed_master(),
        &Passphrase::new("correct horse battery staple"),
        KdfParams::INSECURE_FOR_TESTS,
        [0x44; 16],
        [0x55; 12],
        RecoveryCode::from_entropy([0x66; 16]),
        [0x77; 16],
        [0x88; 12],
    )
    .unwrap()
}

#[test]
fn a_key_bundle_is_pinned_field_for_field() {
    assert_eq!(pinned_keys().bundle.to_json(), PINNED_BUNDLE);
}

#[test]
fn the_pinned_bundle_unlocks_with_its_passphrase_and_its_recovery_words() {
    let bundle = KeyBundle::from_json(PINNED_BUNDLE).unwrap();
    assert_eq!(bundle.key_id, KeyId::parse(PINNED_KEY_ID).unwrap());
    let key = bundle
        .unlock(&Passphrase::new("correct horse battery staple"))
        .unwrap();
    assert_eq!(key.key_id(), fixed_master().key_id());
    assert_eq!(
        bundle
            .unlock(&Passphrase::new("Correct horse battery staple"))
            .unwrap_err(),
        CryptoError::WrongPassphrase
    );
    let words = pinned_keys().recovery.to_words();
    assert_eq!(words.as_str(), PINNED_WORDS);
    let code = RecoveryCode::parse(PINNED_WORDS).unwrap();
    assert_eq!(
        bundle.unlock_with_recovery(&code).unwrap().key_id(),
        fixed_master().key_id()
    );
}

const PINNED_WORDS: &str =
    "echo echo echo echo echo echo echo echo echo echo echo echo echo echo echo echo honey hammer";

#[test]
fn record_ids_are_pinned() {
    assert_eq!(
        fixed_master().record_id("bases", "37i9dQZF1DXcBWIGoYBM5M"),
        PINNED_RECORD_ID
    );
}

const PINNED_RECORD_ID: &str = "079dfc99fee325887cf6c117df5bb1e5";

// ---- the enrollment wrap ------------------------------------------------------------------

fn pinned_enrollment() -> (
    syncer_crypto::EnrollmentSecret,
    syncer_crypto::EnrollmentWrap,
) {
    let secret =
        syncer_crypto::EnrollmentSecret::from_bytes(std::array::from_fn(|i| 0xE0 ^ i as u8));
    let wrap = syncer_crypto::testing::enrollment_wrap_with(
        &fixed_master(),
        &secret,
        [0x5A; 16],
        [0xA5; 12],
    )
    .unwrap();
    (secret, wrap)
}

const PINNED_ENROLLMENT_WRAP: &str = r#"{"format":"syncer-enrollment-wrap","version":1,"key_id":"7cbdf331e4d9caeb","salt":"WlpaWlpaWlpaWlpaWlpaWg==","check":"tHjvWTvhyxK/pxsxCpcxYQ==","nonce":"paWlpaWlpaWlpaWl","ciphertext":"8uBS3eOBXSrhA0z7mrEJXFJkK/cpQQ5WhqSZw3bmqxqTlQGavPwIGyGdZBgWiIcv"}"#;

#[test]
fn an_enrollment_wrap_is_pinned_field_for_field() {
    let (_, wrap) = pinned_enrollment();
    assert_eq!(wrap.to_json(), PINNED_ENROLLMENT_WRAP);
}

#[test]
fn the_enrollment_wrap_is_hkdf_then_aes_gcm_as_documented() {
    // Recomputed from the primitives, so the pin above is the documented construction.
    let (secret, wrap) = pinned_enrollment();
    let secret_bytes: Vec<u8> = (0..32u8).map(|i| 0xE0 ^ i).collect();
    assert_eq!(secret.to_text().as_str(), {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&secret_bytes)
    });
    let mut okm = [0u8; 48];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(&[0x5A; 16]), &secret_bytes)
        .expand(b"syncer enrollment v1", &mut okm)
        .unwrap();
    let mut aad = b"syncer-enrollment-v1\0".to_vec();
    aad.extend_from_slice(fixed_master().key_id().as_str().as_bytes());
    let master: Vec<u8> = (0..32u8).collect();
    let sealed = Aes256Gcm::new_from_slice(&okm[..32])
        .unwrap()
        .encrypt(
            Nonce::from_slice(&[0xA5; 12]),
            Payload {
                msg: &master,
                aad: &aad,
            },
        )
        .unwrap();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    assert_eq!(wrap.ciphertext, b64.encode(&sealed));
    assert_eq!(wrap.check, b64.encode(&okm[32..]));
    assert_eq!(wrap.key_id, fixed_master().key_id());
}

#[test]
fn the_pinned_enrollment_wrap_opens_with_its_secret_only() {
    let (secret, _) = pinned_enrollment();
    let wrap = syncer_crypto::EnrollmentWrap::from_json(PINNED_ENROLLMENT_WRAP).unwrap();
    let master = wrap.unwrap(&secret).unwrap();
    assert_eq!(master.key_id(), fixed_master().key_id());
    let other = syncer_crypto::EnrollmentSecret::from_bytes([0xE0; 32]);
    assert_eq!(
        wrap.unwrap(&other).unwrap_err(),
        CryptoError::WrongEnrollmentSecret
    );
}
