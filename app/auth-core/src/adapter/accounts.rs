//! `accounts`: Auth.js's `linkAccount`, `getUserByAccount`, `unlinkAccount`, plus reading and
//! updating a user's provider tokens.

use super::{
    error::AdapterError,
    model::{Account, NewUser, User},
    pool::{on_pool, Backend, Db},
    users::insert_user,
};

/// A row of `accounts` (the provider tokens are secrets: never log them).
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountRow {
    /// Primary key.
    pub id: i32,
    /// Owner.
    #[sqlx(rename = "userId")]
    pub user_id: i32,
    /// `oauth`, `oidc`, `email` or `credentials`.
    #[sqlx(rename = "type")]
    pub kind: String,
    /// Provider id.
    pub provider: String,
    /// The user's id at the provider.
    #[sqlx(rename = "providerAccountId")]
    pub provider_account_id: String,
    /// OAuth refresh token.
    pub refresh_token: Option<String>,
    /// OAuth access token.
    pub access_token: Option<String>,
    /// Access token expiry (Unix seconds).
    pub expires_at: Option<i64>,
    /// OIDC id token.
    pub id_token: Option<String>,
    /// Granted scopes.
    pub scope: Option<String>,
    /// OIDC session state.
    pub session_state: Option<String>,
    /// Token type.
    pub token_type: Option<String>,
}

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Self {
        Account {
            provider: row.provider,
            kind: row.kind,
            provider_account_id: row.provider_account_id,
            access_token: row.access_token,
            refresh_token: row.refresh_token,
            expires_at: row.expires_at,
            id_token: row.id_token,
            scope: row.scope,
            token_type: row.token_type,
            session_state: row.session_state,
        }
    }
}

impl std::fmt::Debug for AccountRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRow")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .field("provider", &self.provider)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = r#"id, "userId", type, provider, "providerAccountId", refresh_token,
    access_token, expires_at, id_token, scope, session_state, token_type"#;

/// `INSERT INTO accounts ... RETURNING` every column; bound by [`bind_account!`].
pub(super) fn insert_account_sql() -> String {
    format!(
        r#"INSERT INTO accounts ("userId", type, provider, "providerAccountId", refresh_token,
            access_token, expires_at, id_token, scope, session_state, token_type)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {COLUMNS}"#
    )
}

/// Provider tokens to store on an account (secrets: never log them).
#[derive(Clone, Copy, Default)]
pub struct AccountTokens<'a> {
    /// The access token.
    pub access_token: &'a str,
    /// When it expires (Unix seconds).
    pub expires_at: Option<i64>,
    /// A new refresh token (the old one is kept when `None`).
    pub refresh_token: Option<&'a str>,
    /// A new id token (the old one is kept when `None`).
    pub id_token: Option<&'a str>,
}

/// Binds a user id and an account to [`insert_account_sql`] (a macro: the query type differs
/// between SQLite and PostgreSQL).
macro_rules! bind_account {
    ($sql:expr, $user_id:expr, $account:expr) => {
        sqlx::query_as::<_, AccountRow>($sql)
            .bind($user_id)
            .bind(&$account.kind)
            .bind(&$account.provider)
            .bind(&$account.provider_account_id)
            .bind(&$account.refresh_token)
            .bind(&$account.access_token)
            .bind($account.expires_at)
            .bind(&$account.id_token)
            .bind(&$account.scope)
            .bind(&$account.session_state)
            .bind(&$account.token_type)
    };
}
pub(super) use bind_account;

impl Db {
    /// Links a provider account to a user.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] if the provider account is linked already.
    pub async fn link_account(
        &self,
        user_id: i32,
        account: &Account,
    ) -> Result<AccountRow, AdapterError> {
        let sql = insert_account_sql();
        on_pool!(self, |pool| bind_account!(&sql, user_id, account)
            .fetch_one(pool)
            .await)
        .map_err(AdapterError::from_insert)
    }

    /// Creates a user and links their first account in one transaction.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] if the email or the provider account is taken.
    pub async fn create_user_with_account(
        &self,
        user: &NewUser,
        account: &Account,
    ) -> Result<(User, AccountRow), AdapterError> {
        let insert_account = insert_account_sql();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let row = insert_user!(&mut *tx, user)?;
            let account_row = bind_account!(&insert_account, row.id, account)
                .fetch_one(&mut *tx)
                .await
                .map_err(AdapterError::from_insert)?;
            tx.commit().await?;
            Ok((row, account_row))
        })
    }

    /// The user a provider account belongs to.
    ///
    /// # Errors
    /// A database error.
    pub async fn get_user_by_account(
        &self,
        provider: &str,
        provider_account_id: &str,
    ) -> Result<Option<User>, AdapterError> {
        let sql = format!(
            r#"SELECT {}
            FROM accounts a JOIN users u ON u.id = a."userId"
            WHERE a.provider = $1 AND a."providerAccountId" = $2"#,
            super::users::U_COLUMNS
        );
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(&sql)
            .bind(provider)
            .bind(provider_account_id)
            .fetch_optional(pool)
            .await)?)
    }

    /// Every account of a user.
    ///
    /// # Errors
    /// A database error.
    pub async fn accounts_of(&self, user_id: i32) -> Result<Vec<AccountRow>, AdapterError> {
        let sql = format!(r#"SELECT {COLUMNS} FROM accounts WHERE "userId" = $1 ORDER BY id"#);
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, AccountRow>(
            &sql
        )
        .bind(user_id)
        .fetch_all(pool)
        .await)?)
    }

    /// The user's account at one provider.
    ///
    /// # Errors
    /// A database error.
    pub async fn account_of(
        &self,
        user_id: i32,
        provider: &str,
    ) -> Result<Option<AccountRow>, AdapterError> {
        let sql = format!(
            r#"SELECT {COLUMNS} FROM accounts WHERE "userId" = $1 AND provider = $2 ORDER BY id LIMIT 1"#
        );
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, AccountRow>(
            &sql
        )
        .bind(user_id)
        .bind(provider)
        .fetch_optional(pool)
        .await)?)
    }

    /// Stores the provider's newest tokens for the account `(provider, providerAccountId)` (a
    /// sign-in through a known account).
    ///
    /// # Errors
    /// A database error.
    pub async fn store_account_tokens(
        &self,
        provider: &str,
        provider_account_id: &str,
        tokens: &AccountTokens<'_>,
    ) -> Result<(), AdapterError> {
        self.update_tokens(provider, provider_account_id, None, tokens)
            .await
            .map(|_| ())
    }

    /// Stores the tokens of a refresh (the rotated refresh token too, when the provider sent
    /// one) only if the account still holds `used_refresh_token`, the one the refresh spent: a
    /// compare-and-swap, so that when two instances refresh the same account at once exactly
    /// one result is kept. Returns whether this one was.
    ///
    /// # Errors
    /// A database error.
    pub async fn swap_refreshed_tokens(
        &self,
        provider: &str,
        provider_account_id: &str,
        used_refresh_token: &str,
        tokens: &AccountTokens<'_>,
    ) -> Result<bool, AdapterError> {
        let updated = self
            .update_tokens(
                provider,
                provider_account_id,
                Some(used_refresh_token),
                tokens,
            )
            .await?;
        Ok(updated == 1)
    }

    /// Writes `tokens` on the account, only while it holds `expected_refresh_token` when one is
    /// given; returns how many rows changed.
    async fn update_tokens(
        &self,
        provider: &str,
        provider_account_id: &str,
        expected_refresh_token: Option<&str>,
        tokens: &AccountTokens<'_>,
    ) -> Result<u64, AdapterError> {
        let mut sql = String::from(
            r#"UPDATE accounts SET access_token = $1, expires_at = $2,
            refresh_token = COALESCE($3, refresh_token), id_token = COALESCE($4, id_token)
            WHERE provider = $5 AND "providerAccountId" = $6"#,
        );
        if expected_refresh_token.is_some() {
            sql.push_str(" AND refresh_token = $7");
        }
        Ok(on_pool!(self, |pool| {
            let mut query = sqlx::query(&sql)
                .bind(tokens.access_token)
                .bind(tokens.expires_at)
                .bind(tokens.refresh_token)
                .bind(tokens.id_token)
                .bind(provider)
                .bind(provider_account_id);
            if let Some(expected) = expected_refresh_token {
                query = query.bind(expected);
            }
            query.execute(pool).await.map(|r| r.rows_affected())
        })?)
    }

    /// The account `(provider, providerAccountId)`.
    ///
    /// # Errors
    /// A database error.
    pub async fn account_by_provider_id(
        &self,
        provider: &str,
        provider_account_id: &str,
    ) -> Result<Option<AccountRow>, AdapterError> {
        let sql = format!(
            r#"SELECT {COLUMNS} FROM accounts WHERE provider = $1 AND "providerAccountId" = $2"#
        );
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, AccountRow>(
            &sql
        )
        .bind(provider)
        .bind(provider_account_id)
        .fetch_optional(pool)
        .await)?)
    }

    /// Unlinks a user's account at a provider, unless it is their last way to sign in (no
    /// other account and no password). Returns whether something was removed. One
    /// transaction, so two concurrent unlinks cannot remove both of the last two methods.
    ///
    /// # Errors
    /// [`AdapterError::LastSignInMethod`] when refused; database errors.
    pub async fn unlink_account(&self, user_id: i32, provider: &str) -> Result<bool, AdapterError> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if self.backend() == Backend::Postgres {
                // Serialize concurrent unlinks of one user.
                sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let others: i64 = sqlx::query_scalar(
                r#"SELECT COUNT(*) FROM accounts WHERE "userId" = $1 AND provider <> $2"#,
            )
            .bind(user_id)
            .bind(provider)
            .fetch_one(&mut *tx)
            .await?;
            let passwords: i64 =
                sqlx::query_scalar(r#"SELECT COUNT(*) FROM user_passwords WHERE "userId" = $1"#)
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if others + passwords == 0 {
                return Err(AdapterError::LastSignInMethod);
            }
            let removed =
                sqlx::query(r#"DELETE FROM accounts WHERE "userId" = $1 AND provider = $2"#)
                    .bind(user_id)
                    .bind(provider)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            tx.commit().await?;
            Ok(removed > 0)
        })
    }
}
