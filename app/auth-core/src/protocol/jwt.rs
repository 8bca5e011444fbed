//! The session token: a JWE exactly as `@auth/core`'s `jwt.encode` makes it.
//!
//! `alg: "dir"`, `enc: "A256CBC-HS512"`, a 64-byte key from
//! HKDF-SHA256(ikm = secret, salt = cookie name, info = `Auth.js Generated Encryption Key (<salt>)`),
//! and a `kid` that is the key's RFC 7638 thumbprint, so that a NextAuth app with the same
//! `AUTH_SECRET` reads our cookies and we read its. Decoding also accepts `A256GCM` (32-byte key),
//! because `@auth/core`'s `decode` does.
//!
//! Keys are derived once, when [`KeySet::derive`] runs at start-up, never per request: HKDF is
//! cheap, but the session route is the hot path and every microsecond there counts.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, InnerIvInit};
use aes_gcm::{aead::Aead, aead::Payload, Aes256Gcm, KeyInit};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use hmac::{Hmac, Mac};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

use super::secret::Secret;

type Aes256CbcEnc = cbc::Encryptor<aes::Aes256>;
type Aes256CbcDec = cbc::Decryptor<aes::Aes256>;
type HmacSha512 = Hmac<Sha512>;

/// Clock skew allowed on `exp` and `nbf`, as `@auth/core` (`clockTolerance: 15`).
pub const CLOCK_TOLERANCE_SECS: i64 = 15;

/// Tokens longer than this are refused before any work is done (a session cookie is split at
/// 3936 characters; 16 chunks is far beyond any honest token).
pub const MAX_TOKEN_LEN: usize = 64 * 1024;

/// Why a token was refused. The reason is for logs at `debug`; clients only see "no session".
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    /// Not five base64url parts, bad base64, or an unreadable header.
    #[error("malformed token")]
    Malformed,
    /// `alg`/`enc` other than `dir` + `A256CBC-HS512`/`A256GCM`, or a `zip`/`crit` header.
    #[error("unsupported algorithm")]
    Unsupported,
    /// No configured secret authenticates it (tampered, or made with another secret).
    #[error("no key decrypts the token")]
    Decryption,
    /// The claims are not a JSON object of the expected shape.
    #[error("invalid claims")]
    Claims,
    /// `exp` is in the past (beyond the clock tolerance), or `nbf` in the future.
    #[error("token expired or not yet valid")]
    Expired,
    /// There is no `exp`: every token this app mints has one, and a token that never expires
    /// is not one it accepts.
    #[error("token without exp")]
    NoExpiry,
    /// The claims could not be serialized.
    #[error("could not encode claims")]
    Encode,
}

/// The keys derived from one secret for one salt (cookie name), ready to use: the HMAC with its
/// padded key blocks already hashed, the AES key schedule expanded, and the protected header of
/// new tokens already encoded. None of that is redone per request.
#[derive(Clone)]
pub struct DerivedKey {
    mac: HmacSha512,
    aes: aes::Aes256,
    gcm: [u8; 32],
    kid_cbc: String,
    kid_gcm: String,
    header_b64: String,
}

impl std::fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DerivedKey")
            .field("kid", &self.kid_cbc)
            .finish_non_exhaustive()
    }
}

impl DerivedKey {
    /// Derives the A256CBC-HS512 and A256GCM keys of `secret` for `salt`.
    pub fn derive(secret: &Secret, salt: &str) -> Self {
        let info = format!("Auth.js Generated Encryption Key ({salt})");
        let hk = hkdf::Hkdf::<Sha256>::new(Some(salt.as_bytes()), secret.expose().as_bytes());
        let mut cbc_hs512 = [0u8; 64];
        let mut gcm = [0u8; 32];
        // 64 and 32 bytes are far below HKDF-SHA256's 8160-byte limit, so expand cannot fail.
        hk.expand(info.as_bytes(), &mut cbc_hs512)
            .unwrap_or_else(|_| unreachable!("64 bytes is a valid HKDF-SHA256 length"));
        hk.expand(info.as_bytes(), &mut gcm)
            .unwrap_or_else(|_| unreachable!("32 bytes is a valid HKDF-SHA256 length"));
        let kid_cbc = thumbprint::<Sha512>(&cbc_hs512);
        let header = format!(r#"{{"alg":"dir","enc":"A256CBC-HS512","kid":"{kid_cbc}"}}"#);
        let (mac_key, enc_key) = cbc_hs512.split_at(32);
        Self {
            mac: <HmacSha512 as Mac>::new_from_slice(mac_key)
                .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length")),
            aes: aes::Aes256::new(enc_key.into()),
            kid_gcm: thumbprint::<Sha256>(&gcm),
            header_b64: B64.encode(header.as_bytes()),
            kid_cbc,
            gcm,
        }
    }

    /// The `kid` this key puts in the headers it writes.
    pub fn kid(&self) -> &str {
        &self.kid_cbc
    }
}

/// RFC 7638 thumbprint of a symmetric JWK, hashed with the SHA-2 matching its length (what
/// `calculateJwkThumbprint` does in `@auth/core`).
fn thumbprint<D: Digest>(key: &[u8]) -> String {
    let jwk = format!(r#"{{"k":"{}","kty":"oct"}}"#, B64.encode(key));
    B64.encode(D::digest(jwk.as_bytes()))
}

/// All keys for one salt, newest secret first: encode with the first, decode with any.
#[derive(Clone, Debug)]
pub struct KeySet {
    keys: Vec<DerivedKey>,
}

impl KeySet {
    /// Derives one key per secret (in the order given, newest first).
    pub fn derive(secrets: &[Secret], salt: &str) -> Self {
        Self {
            keys: secrets
                .iter()
                .map(|s| DerivedKey::derive(s, salt))
                .collect(),
        }
    }

    /// The key new tokens are encrypted with.
    pub fn current(&self) -> &DerivedKey {
        // `AuthConfig` refuses to build without a secret, so there is always one key.
        &self.keys[0]
    }

    /// Encrypts `claims` (which must serialize to a JSON object) with the newest key.
    ///
    /// # Errors
    /// [`JwtError::Encode`] if the claims do not serialize.
    pub fn encode<T: Serialize>(&self, claims: &T) -> Result<String, JwtError> {
        let plaintext = serde_json::to_vec(claims).map_err(|_| JwtError::Encode)?;
        // ThreadRng is a CSPRNG seeded from the OS: random IVs without a syscall per token.
        let iv: [u8; 16] = rand::random();
        Ok(encrypt_cbc_hs512(self.current(), &plaintext, &iv))
    }

    /// Decrypts a token and checks `exp`/`nbf` against `now` (Unix seconds) with 15 s of skew.
    ///
    /// # Errors
    /// See [`JwtError`]; every failure is an error, never a panic.
    ///
    /// # Security
    /// The tag is compared in constant time; the plaintext is only parsed once the tag matched.
    pub fn decode<T: DeserializeOwned>(&self, token: &str, now: i64) -> Result<T, JwtError> {
        let plaintext = self.open(token)?;
        let times: TimeClaims = serde_json::from_slice(&plaintext).map_err(|_| JwtError::Claims)?;
        check_times(times.exp, times.nbf, now)?;
        serde_json::from_slice(&plaintext).map_err(|_| JwtError::Claims)
    }

    /// Decrypts a token and returns its plaintext claims, unchecked: the caller parses them once
    /// and calls [`check_times`].
    ///
    /// # Errors
    /// See [`JwtError`].
    pub fn open(&self, token: &str) -> Result<Vec<u8>, JwtError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(encrypted_key), Some(iv), Some(ciphertext), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(JwtError::Malformed);
        };
        if !encrypted_key.is_empty() {
            // `dir` has no encrypted key.
            return Err(JwtError::Unsupported);
        }
        // Room for base64's length estimate; the exact lengths are checked on decryption.
        let mut iv_buf = [0u8; 24];
        let iv = decode_into(iv, &mut iv_buf)?;
        let mut tag_buf = [0u8; 48];
        let tag = decode_into(tag, &mut tag_buf)?;
        let mut ciphertext = B64.decode(ciphertext).map_err(|_| JwtError::Malformed)?;
        let aad = header_b64.as_bytes();

        // Fast path: the header this app writes, byte for byte: no JSON to parse.
        if let Some(key) = self.keys.iter().find(|k| k.header_b64 == header_b64) {
            return decrypt_cbc_hs512(key, aad, iv, &mut ciphertext, tag)
                .ok_or(JwtError::Decryption);
        }

        let mut header_buf = [0u8; 1024];
        let header_json = decode_into(header_b64, &mut header_buf)?;
        let header: Header<'_> =
            serde_json::from_slice(header_json).map_err(|_| JwtError::Malformed)?;
        if header.alg != "dir" || header.zip.is_some() || header.crit.is_some() {
            return Err(JwtError::Unsupported);
        }
        let enc = match header.enc.as_ref() {
            "A256CBC-HS512" => Enc::CbcHs512,
            "A256GCM" => Enc::Gcm,
            _ => return Err(JwtError::Unsupported),
        };
        // With a `kid`, only the key it names is tried (as @auth/core); without one, each key.
        let candidates = self.keys.iter().filter(|key| match (&header.kid, enc) {
            (None, _) => true,
            (Some(kid), Enc::CbcHs512) => key.kid_cbc == kid.as_ref(),
            (Some(kid), Enc::Gcm) => key.kid_gcm == kid.as_ref(),
        });
        for key in candidates {
            let plaintext = match enc {
                // Decrypting in place destroys the buffer: work on a copy when there may be
                // another key to try.
                Enc::CbcHs512 => decrypt_cbc_hs512(key, aad, iv, &mut ciphertext.clone(), tag),
                Enc::Gcm => decrypt_gcm(&key.gcm, aad, iv, &ciphertext, tag),
            };
            if plaintext.is_some() {
                return plaintext.ok_or(JwtError::Decryption);
            }
        }
        Err(JwtError::Decryption)
    }
}

/// Decodes base64url into `buf`, refusing anything that does not fit.
fn decode_into<'b>(input: &str, buf: &'b mut [u8]) -> Result<&'b [u8], JwtError> {
    if base64::decoded_len_estimate(input.len()) > buf.len() {
        return Err(JwtError::Malformed);
    }
    let len = B64
        .decode_slice(input, buf)
        .map_err(|_| JwtError::Malformed)?;
    Ok(&buf[..len])
}

/// Checks `exp` and `nbf` (Unix seconds) against `now`, with 15 s of clock skew, as `jose` does.
/// A token without `exp` is refused.
///
/// # Errors
/// [`JwtError::NoExpiry`], [`JwtError::Expired`].
pub fn check_times(exp: Option<i64>, nbf: Option<i64>, now: i64) -> Result<(), JwtError> {
    let exp = exp.ok_or(JwtError::NoExpiry)?;
    if now.saturating_sub(CLOCK_TOLERANCE_SECS) >= exp {
        return Err(JwtError::Expired);
    }
    if nbf.is_some_and(|nbf| now.saturating_add(CLOCK_TOLERANCE_SECS) < nbf) {
        return Err(JwtError::Expired);
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Enc {
    CbcHs512,
    Gcm,
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    enc: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    kid: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    zip: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    crit: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct TimeClaims {
    #[serde(default)]
    exp: Option<i64>,
    #[serde(default)]
    nbf: Option<i64>,
}

/// JWE compact serialization with A256CBC-HS512 (RFC 7518 section 5.2.5).
fn encrypt_cbc_hs512(key: &DerivedKey, plaintext: &[u8], iv: &[u8; 16]) -> String {
    let header_b64 = &key.header_b64;
    let ciphertext = Aes256CbcEnc::inner_iv_init(key.aes.clone(), iv.into())
        .encrypt_padded_vec_mut::<Pkcs7>(plaintext);
    let tag = cbc_hs512_tag(&key.mac, header_b64.as_bytes(), iv, &ciphertext);

    let mut out =
        String::with_capacity(header_b64.len() + 4 + (16 + ciphertext.len() + 32) * 4 / 3 + 8);
    out.push_str(header_b64);
    out.push_str("..");
    B64.encode_string(iv, &mut out);
    out.push('.');
    B64.encode_string(&ciphertext, &mut out);
    out.push('.');
    B64.encode_string(tag, &mut out);
    out
}

/// The first half of HMAC-SHA-512 over AAD, IV, ciphertext and the AAD's bit length.
fn cbc_hs512_tag(mac: &HmacSha512, aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> [u8; 32] {
    let mut mac = mac.clone();
    mac.update(aad);
    mac.update(iv);
    mac.update(ciphertext);
    mac.update(&((aad.len() as u64) * 8).to_be_bytes());
    let full = mac.finalize().into_bytes();
    let mut tag = [0u8; 32];
    tag.copy_from_slice(&full[..32]);
    tag
}

fn decrypt_cbc_hs512(
    key: &DerivedKey,
    aad: &[u8],
    iv: &[u8],
    ciphertext: &mut Vec<u8>,
    tag: &[u8],
) -> Option<Vec<u8>> {
    if iv.len() != 16
        || tag.len() != 32
        || ciphertext.is_empty()
        || !ciphertext.len().is_multiple_of(16)
    {
        return None;
    }
    let expected = cbc_hs512_tag(&key.mac, aad, iv, ciphertext);
    if !bool::from(expected.ct_eq(tag)) {
        return None;
    }
    let len = Aes256CbcDec::inner_iv_init(key.aes.clone(), iv.into())
        .decrypt_padded_mut::<Pkcs7>(ciphertext)
        .ok()?
        .len();
    ciphertext.truncate(len);
    Some(std::mem::take(ciphertext))
}

fn decrypt_gcm(
    key: &[u8; 32],
    aad: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Option<Vec<u8>> {
    if iv.len() != 12 || tag.len() != 16 {
        return None;
    }
    let cipher = Aes256Gcm::new(key.into());
    let mut msg = Vec::with_capacity(ciphertext.len() + 16);
    msg.extend_from_slice(ciphertext);
    msg.extend_from_slice(tag);
    cipher.decrypt(iv.into(), Payload { msg: &msg, aad }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn keys(secret: &str) -> KeySet {
        KeySet::derive(&[Secret::new(secret.to_owned())], "authjs.session-token")
    }

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s.replace([' ', '\n'], "")).unwrap()
    }

    /// RFC 7518 appendix B.3: AES_256_CBC_HMAC_SHA_512 test case.
    #[test]
    fn rfc7518_a256cbc_hs512_test_vector() {
        let k = hex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
             202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
        );
        let p = b"A cipher system must not be required to be secret, and it must be able to fall into the hands of the enemy without inconvenience".to_vec();
        let iv = hex("1af38c2dc2b96ffdd86694092341bc04");
        let a = b"The second principle of Auguste Kerckhoffs".to_vec();
        let expected_e = hex(
            "4affaaadb78c31c5da4b1b590d10ffbd3dd8d5d302423526912da037ecbcc7bd
             822c301dd67c373bccb584ad3e9279c2e6d12a1374b77f077553df829410446b
             36ebd97066296ae6427ea75c2e0846a11a09ccf5370dc80bfecbad28c73f09b3
             a3b75e662a2594410ae496b2e2e6609e31e6e02cc837f053d21f37ff4f51950b
             be2638d09dd7a4930930806d0703b1f6",
        );
        let expected_t = hex("4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5");
        let (mac_key, enc_key) = k.split_at(32);
        let key = DerivedKey {
            mac: <HmacSha512 as Mac>::new_from_slice(mac_key).unwrap(),
            aes: aes::Aes256::new(enc_key.into()),
            gcm: [0; 32],
            kid_cbc: String::new(),
            kid_gcm: String::new(),
            header_b64: String::new(),
        };
        let iv16: [u8; 16] = iv.clone().try_into().unwrap();
        let e = Aes256CbcEnc::inner_iv_init(key.aes.clone(), (&iv16).into())
            .encrypt_padded_vec_mut::<Pkcs7>(&p);
        assert_eq!(e, expected_e);
        let t = cbc_hs512_tag(&key.mac, &a, &iv, &e);
        assert_eq!(t.to_vec(), expected_t);

        assert_eq!(
            decrypt_cbc_hs512(&key, &a, &iv, &mut e.clone(), &t).unwrap(),
            p
        );
        let mut bad = t;
        bad[0] ^= 1;
        assert!(decrypt_cbc_hs512(&key, &a, &iv, &mut e.clone(), &bad).is_none());
    }

    #[test]
    fn round_trip_and_header_shape() {
        let keys = keys("secret");
        let token = keys
            .encode(&json!({"sub":"1","exp": 2_000_000_000}))
            .unwrap();
        let header: Value =
            serde_json::from_slice(&B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(
            header,
            json!({"alg":"dir","enc":"A256CBC-HS512","kid": keys.current().kid()})
        );
        let claims: Value = keys.decode(&token, 1_000_000_000).unwrap();
        assert_eq!(claims["sub"], "1");
    }

    #[test]
    fn refuses_tokens_without_exp() {
        let keys = keys("secret");
        let token = keys.encode(&json!({"sub":"1"})).unwrap();
        assert_eq!(keys.decode::<Value>(&token, 0), Err(JwtError::NoExpiry));
        let token = keys.encode(&json!({"sub":"1","exp":null})).unwrap();
        assert_eq!(keys.decode::<Value>(&token, 0), Err(JwtError::NoExpiry));
        assert_eq!(
            check_times(Some(i64::MIN), None, i64::MIN),
            Err(JwtError::Expired)
        );
        assert_eq!(
            check_times(Some(i64::MAX), Some(i64::MAX), 0),
            Err(JwtError::Expired)
        );
        assert_eq!(check_times(Some(i64::MAX), None, i64::MAX - 1), Ok(()));
    }

    #[test]
    fn refuses_expired_tampered_and_foreign_tokens() {
        let keys = keys("secret");
        let token = keys.encode(&json!({"sub":"1","exp": 1000})).unwrap();
        assert_eq!(keys.decode::<Value>(&token, 1014).unwrap()["sub"], "1");
        assert_eq!(keys.decode::<Value>(&token, 1015), Err(JwtError::Expired));

        let other = super::tests::keys("another secret");
        assert_eq!(other.decode::<Value>(&token, 0), Err(JwtError::Decryption));

        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let mut ct = B64.decode(&parts[3]).unwrap();
        ct[0] ^= 0x80;
        parts[3] = B64.encode(ct);
        assert_eq!(
            keys.decode::<Value>(&parts.join("."), 0),
            Err(JwtError::Decryption)
        );
    }

    #[test]
    fn rotation_decodes_with_older_secrets_and_encodes_with_the_newest() {
        let old = keys("old secret");
        let token = old
            .encode(&json!({"sub":"7","exp": 2_000_000_000}))
            .unwrap();
        let rotated = KeySet::derive(
            &[
                Secret::new("new secret".into()),
                Secret::new("old secret".into()),
            ],
            "authjs.session-token",
        );
        assert_eq!(rotated.decode::<Value>(&token, 0).unwrap()["sub"], "7");
        let fresh = rotated
            .encode(&json!({"sub":"7","exp": 2_000_000_000}))
            .unwrap();
        assert_eq!(old.decode::<Value>(&fresh, 0), Err(JwtError::Decryption));
        assert_eq!(
            keys("new secret").decode::<Value>(&fresh, 0).unwrap()["sub"],
            "7"
        );
    }

    #[test]
    fn the_salt_is_part_of_the_key() {
        let a = KeySet::derive(&[Secret::new("s".into())], "authjs.session-token");
        let b = KeySet::derive(&[Secret::new("s".into())], "__Secure-authjs.session-token");
        let token = a.encode(&json!({"exp": 2_000_000_000})).unwrap();
        assert_eq!(b.decode::<Value>(&token, 0), Err(JwtError::Decryption));
    }

    #[test]
    fn refuses_other_algorithms() {
        let keys = keys("secret");
        for header in [
            json!({"alg":"none","enc":"A256CBC-HS512"}),
            json!({"alg":"dir","enc":"A128CBC-HS256"}),
            json!({"alg":"dir","enc":"A256CBC-HS512","zip":"DEF"}),
            json!({"alg":"dir","enc":"A256CBC-HS512","crit":["exp"]}),
        ] {
            let token = format!(
                "{}..AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA.AAAA",
                B64.encode(header.to_string())
            );
            assert_eq!(
                keys.decode::<Value>(&token, 0),
                Err(JwtError::Unsupported),
                "{header}"
            );
        }
    }

    #[test]
    fn garbage_never_panics() {
        let keys = keys("secret");
        let long = "a".repeat(MAX_TOKEN_LEN + 1);
        for token in [
            "",
            ".",
            "....",
            ".....",
            "a.b.c.d.e",
            "e30..AA.AA.AA",
            "eyJhbGciOiJkaXIifQ....",
            "\u{0}\u{1}",
            "%%%.%%%",
            long.as_str(),
            "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..AAAAAAAAAAAAAAAAAAAAAA..AAAA",
            "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert!(keys.decode::<Value>(token, 0).is_err(), "{token:?}");
        }
    }

    #[test]
    fn decodes_a256gcm_as_auth_core_does() {
        let keys = keys("secret");
        let key = keys.current();
        let header = format!(r#"{{"alg":"dir","enc":"A256GCM","kid":"{}"}}"#, key.kid_gcm);
        let header_b64 = B64.encode(header);
        let iv = [7u8; 12];
        let cipher = Aes256Gcm::new((&key.gcm).into());
        let sealed = cipher
            .encrypt(
                (&iv).into(),
                Payload {
                    msg: br#"{"sub":"9","exp":2000000000}"#,
                    aad: header_b64.as_bytes(),
                },
            )
            .unwrap();
        let (ct, tag) = sealed.split_at(sealed.len() - 16);
        let token = format!(
            "{header_b64}..{}.{}.{}",
            B64.encode(iv),
            B64.encode(ct),
            B64.encode(tag)
        );
        assert_eq!(keys.decode::<Value>(&token, 0).unwrap()["sub"], "9");
    }
}
