//! Properties of the auth core's parsers and validators (proptest), run with the normal tests
//! (`cargo test -p app --features ssr`, see scripts/test):
//!
//! - session tokens: `decode(encode(token)) == token`, and nothing else decrypts (another
//!   secret or salt, one character changed, random JWE-shaped strings);
//! - the redirect validator never returns a URL off the app's origin or a listed client's, and
//!   the pages' `local_callback` never returns anything but a local path;
//! - the body, cookie, JWE and claims parsers never panic, and what they parse survives a round
//!   trip (URL-encoded forms, chunked cookies).
//!
//! The fuzz targets in `app/fuzz/` (`scripts/fuzz`) check the same properties with
//! coverage-guided inputs.
#![cfg(feature = "ssr")]
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use app::auth::{
    form::{FormFields, MAX_FIELDS},
    ssr::{
        cookies::{set_chunked, Lifetime, RequestCookies, CHUNK_SIZE, MAX_CHUNKS},
        jwt::KeySet,
        redirect,
        secret::Secret,
        Auth, AuthConfig, AuthRequest, ClientOrigin, Db, Token,
    },
    url::{local_callback, to_local},
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64, Engine};
use http::{header::COOKIE, HeaderMap, HeaderValue};
use proptest::{collection::vec, option, prelude::*, sample::select, test_runner::TestCaseError};
use serde_json::{json, Map, Value};
use url::Url;

const SECRET: &str = "test-secret-0123456789abcdef-0123456789";
const SESSION_COOKIE: &str = "authjs.session-token";
const ORIGIN: &str = "http://127.0.0.1:3000";
const CLIENT: &str = "http://127.0.0.1:3300";
/// The claims `Token` reads into its own fields.
const STANDARD_CLAIMS: [&str; 8] = [
    "name", "email", "picture", "sub", "iat", "exp", "jti", "nbf",
];
/// The largest integer a JavaScript issuer writes exactly.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;
const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| KeySet::derive(&[Secret::new(SECRET.to_owned())], SESSION_COOKIE))
}

/// An `Auth` on an in-memory database, and a request to it on `ORIGIN`; `CLIENT` is a listed
/// client origin.
struct Site {
    // Keeps the database pool's tasks alive.
    _runtime: tokio::runtime::Runtime,
    auth: Auth,
    req: AuthRequest,
}

fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let guard = runtime.enter();
        let db = runtime.block_on(Db::connect("sqlite::memory:")).unwrap();
        let config = AuthConfig::builder()
            .secret(SECRET)
            .trust_host(true)
            .allow_ephemeral_secret(false)
            .client_origin(ClientOrigin::parse(&format!("spa={CLIENT}")).unwrap())
            .build()
            .unwrap();
        let auth = Auth::new(config, db).unwrap();
        let parts = http::Request::builder()
            .uri("/api/auth/signin")
            .header("host", "127.0.0.1:3000")
            .body(())
            .unwrap()
            .into_parts()
            .0;
        let req = AuthRequest::from_parts(auth.config(), &parts);
        assert_eq!(req.origin, ORIGIN);
        drop(guard);
        Site {
            _runtime: runtime,
            auth,
            req,
        }
    })
}

// --- strategies ----------------------------------------------------------------------------------

fn extra_claim_name() -> impl Strategy<Value = String> {
    "[a-zA-Z_][a-zA-Z0-9_:.-]{0,15}".prop_filter("a standard claim", |k| {
        !STANDARD_CLAIMS.contains(&k.as_str())
    })
}

fn extra_claim_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::from),
        (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
    ]
}

/// A token as the app (or a NextAuth app) issues them, with `exp` in the future.
fn token(now: i64) -> impl Strategy<Value = Token> {
    (
        option::of(any::<String>()),
        option::of("[a-z0-9._%+-]{1,20}@[a-z0-9-]{1,20}\\.[a-z]{2,6}"),
        option::of(prop_oneof![
            "https://[a-z.]{1,20}/[a-zA-Z0-9/._-]{0,30}",
            any::<String>()
        ]),
        option::of(prop_oneof!["[0-9]{1,19}", "[0-9a-f-]{36}", any::<String>()]),
        option::of("[A-Za-z0-9_-]{0,43}"),
        option::of(0..=now),
        (now + 60)..(now + 100 * 365 * 86_400),
        option::of((now - 365 * 86_400)..=now),
        proptest::collection::btree_map(extra_claim_name(), extra_claim_value(), 0..8),
    )
        .prop_map(
            |(name, email, picture, sub, jti, iat, exp, nbf, extra)| Token {
                name,
                email,
                picture,
                sub,
                iat,
                exp: Some(exp),
                jti,
                nbf,
                extra: extra.into_iter().collect::<Map<String, Value>>(),
            },
        )
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map("\\PC{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON object whose keys are often the standard claims, with values of any type.
fn claims_json() -> impl Strategy<Value = Vec<u8>> {
    let key = prop_oneof![
        select(STANDARD_CLAIMS.to_vec()).prop_map(str::to_owned),
        "\\PC{0,8}"
    ];
    proptest::collection::btree_map(key, json_value(), 0..10)
        .prop_map(|m| serde_json::to_vec(&Value::Object(m.into_iter().collect())).unwrap())
}

/// `len` random bytes, base64url.
fn b64_bytes(len: impl Strategy<Value = usize>) -> impl Strategy<Value = String> {
    len.prop_flat_map(|n| vec(any::<u8>(), n))
        .prop_map(|bytes| B64.encode(bytes))
}

/// Strings shaped like a JWE (five base64url parts, headers that pass or fail the checks, IV,
/// tag and ciphertext of the right and wrong sizes), made without the key.
fn jwe_shaped() -> impl Strategy<Value = String> {
    let our_header = keys()
        .encode(&json!({}))
        .unwrap()
        .split('.')
        .next()
        .unwrap()
        .to_owned();
    let header = prop_oneof![
        Just(our_header),
        (
            select(vec!["dir", "RSA-OAEP", "none", ""]),
            select(vec!["A256CBC-HS512", "A256GCM", "A128GCM", ""]),
            option::of("[A-Za-z0-9_-]{0,43}"),
            any::<bool>(),
        )
            .prop_map(|(alg, enc, kid, zip)| {
                let mut header = json!({ "alg": alg, "enc": enc });
                if let Some(kid) = kid {
                    header["kid"] = kid.into();
                }
                if zip {
                    header["zip"] = "DEF".into();
                }
                B64.encode(header.to_string())
            }),
        any::<String>().prop_map(|h| B64.encode(h)),
        "[A-Za-z0-9_=+/-]{0,40}",
    ];
    (
        header,
        prop_oneof![4 => Just(String::new()), 1 => "[A-Za-z0-9_-]{1,20}"],
        b64_bytes(prop_oneof![Just(16usize), Just(12usize), 0usize..24]),
        b64_bytes(prop_oneof![(0usize..8).prop_map(|n| n * 16), 0usize..100]),
        b64_bytes(prop_oneof![Just(32usize), Just(16usize), 0usize..48]),
        option::of("[A-Za-z0-9_.-]{0,10}"),
    )
        .prop_map(|(header, key, iv, ciphertext, tag, extra)| {
            let mut jwe = format!("{header}.{key}.{iv}.{ciphertext}.{tag}");
            if let Some(extra) = extra {
                jwe.push('.');
                jwe.push_str(&extra);
            }
            jwe
        })
}

/// Pieces of the URLs open redirects are made of.
#[rustfmt::skip]
const URL_PIECES: &[&str] = &[
    "/", "//", "///", "/\\", "\\", "\\\\", "\\/", "evil.example", "evil.example:3000",
    "@evil.example", "http://", "https://", "http:", "https:", "HTTP://", "hTtPs:/", "http:\\\\",
    "javascript:", "JaVaScRiPt:", "data:text/html,", "file:///", "blob:", "ftp://", "ws://",
    "http://127.0.0.1:3000", "http://127.0.0.1:3000/", "http://127.0.0.1:3000@",
    "http://127.0.0.1:3000.evil.example", "http://127.0.0.1:30000", "http://127.0.0.1",
    "https://127.0.0.1:3000", "http://127.0.0.1:3300", "http://127.0.0.1:3300@",
    "http://127.0.0.1:3301", "http://localhost:3000", "http://[::1]:3000", "http://0x7f.1:3000",
    "http://2130706433:3000", "http://127.1:3000", "user:pass@", "127.0.0.1:3000", ":", "@", "?",
    "#", "&", "=", ".", "..", "%2F", "%2f", "%5C", "%2E", "%40", "%00", "%0A", "%09",
    "%E3%80%82", " ", "\t", "\n", "\r", "\0", "\u{b}", "\u{c}", "\u{7f}", "\u{85}", "\u{a0}",
    "\u{2028}", "\u{3000}", "\u{feff}", "\u{200b}", "\u{ff0f}", "\u{ff3c}", "\u{2215}", "\u{2044}",
    "\u{3002}", "\u{ff0e}", "\u{ff20}", "\u{ff45}\u{ff56}\u{ff49}\u{ff4c}", "\u{e9}", "\u{2603}",
    "xn--", "/api/auth/signin", "/protected?x=1",
];

/// Tricky URL shapes: pieces of open redirects, schemes, control and unicode characters,
/// percent-encoding and whitespace, concatenated.
fn tricky_url() -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            6 => select(URL_PIECES).prop_map(str::to_owned),
            1 => "[a-zA-Z][a-zA-Z0-9+.-]{0,6}:",
            1 => "\\PC{0,3}",
            1 => any::<char>().prop_map(String::from),
        ],
        1..10,
    )
    .prop_map(|pieces| pieces.concat())
}

fn any_url() -> impl Strategy<Value = String> {
    prop_oneof![1 => any::<String>(), 3 => tricky_url()]
}

const CONTENT_TYPES: &[&str] = &[
    "application/x-www-form-urlencoded",
    "Application/X-WWW-Form-URLEncoded; charset=UTF-8",
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON ;x",
    "text/plain",
    "multipart/form-data",
];

fn content_type() -> impl Strategy<Value = Option<String>> {
    option::of(prop_oneof![
        3 => select(CONTENT_TYPES).prop_map(str::to_owned),
        1 => any::<String>(),
    ])
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..512),
        json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        vec((any::<String>(), any::<String>()), 0..80).prop_map(|pairs| {
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
                .into_bytes()
        }),
    ]
}

/// Pieces of `Cookie` headers: the session cookie, its chunks (and names that look like
/// chunks), separators and quotes.
#[rustfmt::skip]
const COOKIE_PIECES: &[&str] = &[
    "authjs.session-token", "authjs.session-token=", "authjs.session-token.0=",
    "authjs.session-token.1=", ".0", ".1", ".2", ".15", ".16", ".+1", ".01", ".-1", ".x",
    ".18446744073709551616", "=", ";", "; ", " ", "\t", "\"", "a", "%3D", "__Secure-", ",", "\u{e9}",
];

fn cookie_header() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        3 => vec(
            prop_oneof![
                3 => select(COOKIE_PIECES).prop_map(str::to_owned),
                1 => "[ -~]{0,6}",
            ],
            0..24,
        )
        .prop_map(|pieces| pieces.concat()),
    ]
}

/// A cookie-safe value (base64url and `.`) of up to `MAX_CHUNKS` chunks, lengths around the
/// chunk boundaries included.
fn cookie_value() -> impl Strategy<Value = String> {
    let max = CHUNK_SIZE * MAX_CHUNKS;
    let len = prop_oneof![
        0usize..=8,
        (CHUNK_SIZE - 2)..=(CHUNK_SIZE + 2),
        (2 * CHUNK_SIZE - 2)..=(2 * CHUNK_SIZE + 2),
        (max - 2)..=max,
        0..=max,
    ];
    (vec(any::<u8>(), 1..64), len).prop_map(|(seed, len)| {
        let safe = format!("{BASE64URL}.");
        let safe = safe.as_bytes();
        seed.iter()
            .cycle()
            .take(len)
            .map(|b| char::from(safe[usize::from(*b) % safe.len()]))
            .collect()
    })
}

// --- checks --------------------------------------------------------------------------------------

fn request_cookies(headers: &[String]) -> RequestCookies {
    let mut map = HeaderMap::new();
    for header in headers {
        if let Ok(value) = HeaderValue::from_str(header) {
            map.append(COOKIE, value);
        }
    }
    RequestCookies::from_headers(&map)
}

/// `resolved` is an absolute URL on `ORIGIN` or `CLIENT`, and nothing a browser could read
/// otherwise.
fn check_on_site(input: &str, resolved: &str) -> Result<(), TestCaseError> {
    let url = Url::parse(resolved)
        .map_err(|e| TestCaseError::fail(format!("{input:?} -> {resolved:?}: {e}")))?;
    let origin = url.origin().ascii_serialization();
    prop_assert!(
        origin == ORIGIN || origin == CLIENT,
        "{:?} -> {:?}: off site",
        input,
        resolved
    );
    prop_assert!(
        resolved.starts_with(&format!("{origin}/")),
        "{:?} -> {:?}",
        input,
        resolved
    );
    prop_assert!(url.username().is_empty() && url.password().is_none());
    prop_assert!(
        !url.path().starts_with("//"),
        "{:?} -> {:?}",
        input,
        resolved
    );
    prop_assert!(!resolved.chars().any(char::is_control));
    Ok(())
}

/// `path` is a local path: one leading `/` (not `//` or `/\`), no control character, and
/// joined to the origin it stays there. `strict`: no backslash anywhere either (what
/// `local_callback` promises; a validated URL's path can keep one in its query).
fn check_local(input: &str, path: &str, strict: bool) -> Result<(), TestCaseError> {
    prop_assert!(
        path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\"),
        "{:?} -> {:?}",
        input,
        path
    );
    prop_assert!(
        !path
            .chars()
            .any(|c| (strict && c == '\\') || c.is_control()),
        "{:?} -> {:?}",
        input,
        path
    );
    let joined = Url::parse(ORIGIN)
        .unwrap()
        .join(path)
        .map_err(|e| TestCaseError::fail(format!("{input:?} -> {path:?}: {e}")))?;
    prop_assert_eq!(joined.origin().ascii_serialization(), ORIGIN);
    Ok(())
}

// --- properties ----------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tokens_decode_to_what_was_encoded(token in token(now())) {
        let jwe = keys().encode(&token).unwrap();
        let back: Token = keys().decode(&jwe, now()).unwrap();
        prop_assert_eq!(&back, &token);
        // Another salt (the `__Secure-` cookie name) or another secret: refused.
        let secure = KeySet::derive(&[Secret::new(SECRET.to_owned())], "__Secure-authjs.session-token");
        prop_assert!(secure.open(&jwe).is_err());
        let other = KeySet::derive(&[Secret::new(format!("{SECRET}-other"))], SESSION_COOKIE);
        prop_assert!(other.open(&jwe).is_err());
        // A rotated set (new secret first) still reads it.
        let rotated = KeySet::derive(
            &[Secret::new(format!("{SECRET}-new")), Secret::new(SECRET.to_owned())],
            SESSION_COOKIE,
        );
        prop_assert_eq!(rotated.decode::<Token>(&jwe, now()).unwrap(), token);
    }

    #[test]
    fn a_changed_character_never_decrypts(at in any::<prop::sample::Index>(), c in select(format!("{BASE64URL}.").chars().collect::<Vec<_>>())) {
        let jwe = keys().encode(&json!({ "sub": "1", "exp": now() + 3600 })).unwrap();
        let at = at.index(jwe.len());
        let mut tampered = jwe.clone();
        tampered.replace_range(at..=at, c.encode_utf8(&mut [0; 4]));
        prop_assume!(tampered != jwe);
        prop_assert!(keys().open(&tampered).is_err(), "{}", tampered);
    }

    #[test]
    fn made_up_tokens_never_decrypt(jwe in jwe_shaped()) {
        prop_assert!(keys().open(&jwe).is_err());
        prop_assert!(keys().decode::<Token>(&jwe, now()).is_err());
        prop_assert!(keys().decode::<Value>(&jwe, now()).is_err());
    }

    #[test]
    fn any_string_is_refused_as_a_token_without_panicking(s in any::<String>()) {
        prop_assert!(keys().open(&s).is_err());
        prop_assert!(keys().decode::<Token>(&s, now()).is_err());
    }

    #[test]
    fn claims_parse_without_panicking(
        bytes in prop_oneof![
            vec(any::<u8>(), 0..256),
            json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
            claims_json(),
        ]
    ) {
        let _ = serde_json::from_slice::<Token>(&bytes);
    }

    #[test]
    fn redirects_never_leave_the_site(input in any_url()) {
        let site = site();
        let resolved = redirect::resolve(&site.auth, &site.req, Some(&input));
        check_on_site(&input, &resolved)?;
        // What the sign-in page gets back as its callbackUrl (redirect::to_error_page).
        if let Some(path) = redirect::strip_origin(&resolved, ORIGIN).map(str::to_owned) {
            check_local(&input, &path, false)?;
        }
    }

    #[test]
    fn local_callbacks_are_local_paths(input in any_url()) {
        if let Some(path) = local_callback(&input) {
            check_local(&input, &path, true)?;
        }
        if let Some(path) = to_local(&input, Some(ORIGIN)) {
            check_local(&input, &path, true)?;
        }
    }

    #[test]
    fn bodies_parse_without_panicking(content_type in content_type(), body in body()) {
        let form = FormFields::parse(content_type.as_deref(), &body);
        prop_assert!(form.iter().count() <= MAX_FIELDS);
        prop_assert_eq!(&FormFields::parse_urlencoded(form.encode().as_bytes()), &form);
        let urlencoded = FormFields::parse_urlencoded(&body);
        prop_assert_eq!(&FormFields::parse_urlencoded(urlencoded.encode().as_bytes()), &urlencoded);
        // Read only as the Content-Type says: a form as a form, anything but JSON as nothing.
        let media_type = content_type
            .as_deref()
            .and_then(|ct| ct.split(';').next())
            .map(str::trim)
            .unwrap_or_default()
            .to_ascii_lowercase();
        match media_type.as_str() {
            "application/json" => {}
            "application/x-www-form-urlencoded" => prop_assert_eq!(&form, &urlencoded),
            _ => prop_assert_eq!(&form, &FormFields::default()),
        }
    }

    #[test]
    fn cookies_parse_without_panicking(headers in vec(cookie_header(), 0..4)) {
        let cookies = request_cookies(&headers);
        let chunked = cookies.get_chunked(SESSION_COOKIE);
        if let Some(plain) = cookies.get(SESSION_COOKIE) {
            prop_assert_eq!(chunked.as_deref(), Some(plain));
        }
        let _ = cookies.chunk_names(SESSION_COOKIE).count();
        let _ = cookies.iter().count();
    }
}

proptest! {
    // Values up to 63 KiB: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn chunked_cookies_reassemble(headers in vec(cookie_header(), 0..3), value in cookie_value()) {
        let cookies = request_cookies(&headers);
        let set_cookies = set_chunked(SESSION_COOKIE, &value, Lifetime::Session, false, &cookies);
        // The browser's jar: the request's cookies, then each Set-Cookie in order.
        let mut jar: Vec<(String, String)> =
            cookies.iter().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
        for set_cookie in &set_cookies {
            let (pair, attributes) = set_cookie.split_once(';').unwrap_or((set_cookie, ""));
            let (name, cookie_value) = pair.split_once('=').unwrap();
            jar.retain(|(n, _)| n != name);
            if !attributes.contains("Max-Age=0") {
                jar.push((name.to_owned(), cookie_value.to_owned()));
            }
        }
        let header = jar.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ");
        let back = request_cookies(std::slice::from_ref(&header));
        let reassembled = back.get_chunked(SESSION_COOKIE);
        prop_assert_eq!(reassembled.as_deref(), Some(value.as_str()));
    }
}
