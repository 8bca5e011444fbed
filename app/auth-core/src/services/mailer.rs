//! Sending the sign-in email over SMTP with `lettre`: a multipart message (HTML and plain text)
//! in the colours of the built-in pages, with Auth.js's wording.

use std::time::Duration;

use lettre::{
    message::{header::ContentType, Mailbox, MultiPart, SinglePart},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};

use crate::{config::Theme, error::ProviderError};

/// An SMTP connection pool and the sender address.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `server` (`smtp://`, `smtps://`), sending as `from`. Nothing connects yet.
    ///
    /// # Errors
    /// Why the URL or the address is unusable (never the URL itself: it may hold a password).
    pub fn new(server: &str, from: &str, timeout: Duration) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(server)
            .map_err(|_| "expected smtp://user:password@host:port or smtps://...".to_owned())?
            .timeout(Some(timeout))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| format!("AUTH_EMAIL_FROM is not an address: {e}"))?;
        Ok(Self { transport, from })
    }

    /// Sends the sign-in link for `host` to `to`.
    ///
    /// # Errors
    /// [`ProviderError::Smtp`] if the server is unreachable or refuses the message.
    pub async fn send_sign_in(
        &self,
        to: &str,
        url: &str,
        host: &str,
        theme: &Theme,
    ) -> Result<(), ProviderError> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| ProviderError::Smtp(format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!("Sign in to {host}"))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(text(url, host)),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(html(url, host, theme)),
                    ),
            )
            .map_err(|e| ProviderError::Smtp(format!("message: {e}")))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| ProviderError::Smtp(e.to_string()))
    }
}

/// The plain-text part.
pub fn text(url: &str, host: &str) -> String {
    format!(
        "Sign in to {host}\n{url}\n\nIf you did not request this email you can safely ignore it.\n"
    )
}

/// The HTML part: one button, Auth.js's layout, the theme's colours.
pub fn html(url: &str, host: &str, theme: &Theme) -> String {
    let brand = theme.brand_color.as_deref().unwrap_or("#346df1");
    let button_text = theme.button_text.as_deref().unwrap_or("#fff");
    let url = escape(url);
    // Escape first, then break the dots with zero-width spaces (so mail clients do not turn the
    // host into a link): escaping after would show the `&#8203;` itself.
    let host = escape(host).replace('.', "&#8203;.");
    let logo = theme
        .logo
        .as_deref()
        .map(|logo| {
            format!(
                r#"<img src="{}" alt="" style="max-height:48px"><br>"#,
                escape(logo)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<body style="background:#f9f9f9;padding:20px 0">
<table width="100%" border="0" cellspacing="20" cellpadding="0" style="background:#fff;max-width:600px;margin:auto;border-radius:10px">
<tr><td align="center" style="padding:10px 0;font-size:22px;font-family:Helvetica,Arial,sans-serif;color:#444">{logo}Sign in to <strong>{host}</strong></td></tr>
<tr><td align="center" style="padding:20px 0">
<table border="0" cellspacing="0" cellpadding="0"><tr><td align="center" style="border-radius:5px" bgcolor="{brand}">
<a href="{url}" target="_blank" style="font-size:18px;font-family:Helvetica,Arial,sans-serif;color:{button_text};text-decoration:none;border-radius:5px;padding:10px 20px;border:1px solid {brand};display:inline-block;font-weight:bold">Sign in</a>
</td></tr></table></td></tr>
<tr><td align="center" style="padding:0 0 10px 0;font-size:16px;line-height:22px;font-family:Helvetica,Arial,sans-serif;color:#444">If you did not request this email you can safely ignore it.</td></tr>
</table></body>"#,
        brand = escape(brand),
        button_text = escape(button_text),
    )
}

fn escape(value: &str) -> std::borrow::Cow<'_, str> {
    html_escape::encode_quoted_attribute(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_escaped_and_themed() {
        let theme = Theme {
            brand_color: Some("#ff0000".into()),
            ..Theme::default()
        };
        let page = html("http://a/cb?token=1&email=x%40y", "a.example", &theme);
        assert!(page.contains(r#"href="http://a/cb?token=1&amp;email=x%40y""#));
        assert!(page.contains(r##"bgcolor="#ff0000""##));
        assert!(!page.contains("<script"));
        assert!(page.contains("<strong>a&#8203;.example</strong>"), "{page}");
        assert!(html("u", "<b>.x", &theme).contains("&lt;b&gt;&#8203;.x"));
        assert!(text("http://a/cb", "a.example").contains("http://a/cb"));
        assert!(Mailer::new("ftp://nope", "a@b.c", Duration::from_secs(1)).is_err());
        assert!(Mailer::new(
            "smtp://127.0.0.1:2525",
            "not an address",
            Duration::from_secs(1)
        )
        .is_err());
        assert!(Mailer::new(
            "smtp://127.0.0.1:2525",
            "Me <me@example.com>",
            Duration::from_secs(1)
        )
        .is_ok());
    }
}
