//! Preset: Discord, mirroring Auth.js's `@auth/core/providers/discord`.
//!
//! Enabled by `AUTH_DISCORD_ID` and `AUTH_DISCORD_SECRET`; register the callback URL
//! `<origin>/api/auth/callback/discord`.
//!
//! Discord is plain OAuth 2 with the profile at `GET /users/@me`. Its JSON has no avatar URL,
//! only a hash, so the mapper builds the CDN URL the way Auth.js does: `.gif` for animated hashes
//! (`a_...`), and for users without an avatar the default one, chosen from the snowflake id for
//! new (discriminator `"0"`) usernames and from the legacy discriminator otherwise.

use serde_json::Value;

use super::oauth::{string_field, OAuthProvider, Profile};

const AUTHORIZATION_URL: &str = "https://discord.com/api/oauth2/authorize";
const TOKEN_URL: &str = "https://discord.com/api/oauth2/token";
const USERINFO_URL: &str = "https://discord.com/api/users/@me";
const CDN: &str = "https://cdn.discordapp.com";

/// The Discord provider (`discord`): scopes `identify email`.
pub fn discord(client_id: impl Into<String>, client_secret: impl Into<String>) -> OAuthProvider {
    OAuthProvider::oauth(
        "discord",
        "Discord",
        client_id,
        client_secret,
        AUTHORIZATION_URL,
        TOKEN_URL,
        USERINFO_URL,
    )
    .with_scopes(&["identify", "email"])
    .with_profile(profile)
    .with_brand_color("#5865f2")
}

/// Maps Discord's `GET /users/@me` response: `id`, `global_name` or else `username`, `email`
/// (verified when `verified` is true) and the avatar URL built from `avatar`.
pub fn profile(user: &Value) -> Option<Profile> {
    let id = string_field(user, "id")?;
    Some(Profile {
        name: string_field(user, "global_name").or_else(|| string_field(user, "username")),
        email: string_field(user, "email"),
        email_verified: user.get("verified") == Some(&Value::Bool(true)),
        image: avatar_url(&id, user),
        id,
    })
}

/// The user's avatar, or Discord's default avatar for users without one.
fn avatar_url(id: &str, user: &Value) -> Option<String> {
    // Hashes are hex with an optional `a_`; anything else is not put into a URL.
    let hash = user
        .get("avatar")
        .and_then(Value::as_str)
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    if let Some(hash) = hash {
        let format = if hash.starts_with("a_") { "gif" } else { "png" };
        return Some(format!("{CDN}/avatars/{id}/{hash}.{format}"));
    }
    let index = match user.get("discriminator").and_then(Value::as_str) {
        Some(discriminator) if discriminator != "0" => discriminator.parse::<u64>().ok()? % 5,
        _ => (id.parse::<u64>().ok()? >> 22) % 6,
    };
    Some(format!("{CDN}/embed/avatars/{index}.png"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::oauth::OAuthKind;
    use serde_json::json;

    /// The example user object of Discord's API reference (`GET /users/@me` with `email`).
    fn nelly() -> Value {
        json!({
            "id": "80351110224678912",
            "username": "Nelly",
            "discriminator": "1337",
            "global_name": null,
            "avatar": "8342729096ea3675442027381ff50dfe",
            "verified": true,
            "email": "nelly@discord.com",
            "flags": 64,
            "banner": "06c16474723fe537c283b8efa61a30c8",
            "accent_color": 16711680,
            "premium_type": 1,
            "public_flags": 64
        })
    }

    #[test]
    fn the_documented_user_maps_onto_a_profile() {
        assert_eq!(
            profile(&nelly()),
            Some(Profile {
                id: "80351110224678912".into(),
                name: Some("Nelly".into()),
                email: Some("nelly@discord.com".into()),
                email_verified: true,
                image: Some(
                    "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png"
                        .into()
                ),
            })
        );
    }

    #[test]
    fn global_name_wins_and_unverified_email_is_not_verified() {
        let mut user = nelly();
        user["global_name"] = json!("Nelly the Great");
        user["verified"] = json!(false);
        let p = profile(&user).unwrap();
        assert_eq!(p.name.as_deref(), Some("Nelly the Great"));
        assert!(!p.email_verified);
        user.as_object_mut().unwrap().remove("verified");
        assert!(!profile(&user).unwrap().email_verified);
    }

    #[test]
    fn animated_avatars_are_gifs() {
        let mut user = nelly();
        user["avatar"] = json!("a_1269e74af4df7417b13759eae50c83dc");
        assert_eq!(
            profile(&user).unwrap().image.as_deref(),
            Some("https://cdn.discordapp.com/avatars/80351110224678912/a_1269e74af4df7417b13759eae50c83dc.gif")
        );
    }

    #[test]
    fn users_without_avatar_get_the_default_one() {
        let mut user = nelly();
        user["avatar"] = Value::Null;
        // Legacy username: discriminator 1337 % 5 = 2.
        assert_eq!(
            profile(&user).unwrap().image.as_deref(),
            Some("https://cdn.discordapp.com/embed/avatars/2.png")
        );
        // New username: (80351110224678912 >> 22) % 6 = 5.
        user["discriminator"] = json!("0");
        assert_eq!(
            profile(&user).unwrap().image.as_deref(),
            Some("https://cdn.discordapp.com/embed/avatars/5.png")
        );
        // An unusable hash is not put into a URL.
        user["avatar"] = json!("../../evil");
        assert_eq!(
            profile(&user).unwrap().image.as_deref(),
            Some("https://cdn.discordapp.com/embed/avatars/5.png")
        );
    }

    #[test]
    fn errors_and_garbage_map_to_none() {
        assert_eq!(
            profile(&json!({"message": "401: Unauthorized", "code": 0})),
            None
        );
        assert_eq!(profile(&json!({})), None);
        assert_eq!(profile(&json!(null)), None);
        // A user with an id that is not a snowflake still maps, without a default avatar.
        let odd = profile(&json!({"id": "x", "username": "u", "avatar": null})).unwrap();
        assert_eq!((odd.id.as_str(), odd.image), ("x", None));
    }

    #[test]
    fn the_preset_is_plain_oauth() {
        let p = discord("id", "secret");
        assert_eq!((p.id.as_str(), p.name.as_str()), ("discord", "Discord"));
        assert_eq!(p.kind, OAuthKind::OAuth);
        assert_eq!(p.userinfo_url.as_deref(), Some(USERINFO_URL));
        assert_eq!(p.scopes, ["identify", "email"]);
    }
}
