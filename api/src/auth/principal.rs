//! The identity a request acts as, and the extractors that demand a scope of it.

use std::future::{Ready, ready};
use std::marker::PhantomData;

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};
use shared::{ActorKind, Identity, PrincipalKind, Role, Scope};

use crate::db::audit::Actor;
use crate::db::sign_ins::SignIn;
use crate::db::tokens::ValidToken;
use crate::error::ApiError;

/// What a request without credentials is told.
pub(crate) const NO_CREDENTIALS: &str =
    "sign in, or send an API token as 'Authorization: Bearer <token>'";

/// Who a request acts as; put into the request by [`super::authenticate`].
#[derive(Debug, Clone)]
pub struct Principal {
    pub kind: PrincipalKind,
    /// Username or token name.
    pub name: String,
    pub role: Option<Role>,
    pub scopes: Vec<Scope>,
    /// The client's IP address.
    pub address: Option<String>,
    /// Unix seconds at which the sign-in or token ends at the latest.
    pub expires_at: Option<i64>,
    /// A cookie sign-in's digest and CSRF token; `None` for a token.
    pub sign_in: Option<SignInHandle>,
    /// A token's id; `None` for a sign-in.
    pub token_id: Option<String>,
    /// The signed-in account, or the account a token belongs to.
    pub account_id: Option<i64>,
}

/// What a principal's credential is, to check again while a long response (an event stream) lasts.
#[derive(Debug, Clone)]
pub enum Credential {
    SignIn { secret_hash: String },
    Token { id: String },
}

#[derive(Debug, Clone)]
pub struct SignInHandle {
    pub secret_hash: String,
    pub csrf_token: String,
}

impl Principal {
    pub fn from_sign_in(sign_in: SignIn, address: Option<String>) -> Principal {
        Principal {
            kind: PrincipalKind::Account,
            name: sign_in.username,
            role: Some(sign_in.role),
            scopes: sign_in.role.scopes().to_vec(),
            address,
            expires_at: Some(sign_in.expires_at),
            sign_in: Some(SignInHandle {
                secret_hash: sign_in.secret_hash,
                csrf_token: sign_in.csrf_token,
            }),
            token_id: None,
            account_id: Some(sign_in.account_id),
        }
    }

    pub fn from_token(token: ValidToken, address: Option<String>) -> Principal {
        let ValidToken { row: token, scopes } = token;
        Principal {
            kind: PrincipalKind::Token,
            scopes,
            account_id: token.owner_id,
            name: token.name,
            role: None,
            address,
            expires_at: token.expires_at,
            sign_in: None,
            token_id: Some(token.id),
        }
    }

    pub fn credential(&self) -> Option<Credential> {
        match (&self.sign_in, &self.token_id) {
            (Some(sign_in), _) => Some(Credential::SignIn {
                secret_hash: sign_in.secret_hash.clone(),
            }),
            (None, Some(id)) => Some(Credential::Token { id: id.clone() }),
            (None, None) => None,
        }
    }

    pub fn may(&self, wanted: Scope) -> bool {
        self.scopes.iter().any(|scope| scope.grants(wanted))
    }

    /// 403 unless this principal holds `wanted`.
    pub fn require(&self, wanted: Scope) -> Result<(), ApiError> {
        if self.may(wanted) {
            return Ok(());
        }
        Err(ApiError::Forbidden(match self.role {
            Some(role) => format!(
                "the {role} role of '{}' does not allow this; it needs {wanted}",
                self.name
            ),
            None => format!(
                "the token '{}' lacks the scope {wanted} this needs",
                self.name
            ),
        }))
    }

    /// The principal as the audit log and `killed_by` name it.
    pub fn actor(&self) -> Actor {
        Actor {
            kind: match self.kind {
                PrincipalKind::Account => ActorKind::Account,
                PrincipalKind::Token => ActorKind::Token,
            },
            name: self.name.clone(),
            address: self.address.clone(),
        }
    }

    pub fn identity(&self) -> Identity {
        Identity {
            kind: self.kind,
            name: self.name.clone(),
            role: self.role,
            scopes: self.scopes.clone(),
            csrf_token: self.sign_in.as_ref().map(|s| s.csrf_token.clone()),
            expires_at: self
                .expires_at
                .and_then(|at| chrono::DateTime::from_timestamp(at, 0)),
        }
    }
}

/// What a handler demands of the principal.
pub trait Requirement {
    /// `None`: any signed-in account or valid token.
    const SCOPE: Option<Scope>;
}

/// Any signed-in account or valid token.
pub struct SignedIn;
/// `sessions:read`.
pub struct ReadSessions;
/// `sessions:kill`.
pub struct KillSessions;
/// `sessions:export`.
pub struct ExportSessions;
/// `broker`.
pub struct ReportSessions;
/// `metrics`.
pub struct ReadMetrics;
/// `admin`.
pub struct Administer;

impl Requirement for SignedIn {
    const SCOPE: Option<Scope> = None;
}
impl Requirement for ReadSessions {
    const SCOPE: Option<Scope> = Some(Scope::SessionsRead);
}
impl Requirement for KillSessions {
    const SCOPE: Option<Scope> = Some(Scope::SessionsKill);
}
impl Requirement for ExportSessions {
    const SCOPE: Option<Scope> = Some(Scope::SessionsExport);
}
impl Requirement for ReportSessions {
    const SCOPE: Option<Scope> = Some(Scope::Broker);
}
impl Requirement for ReadMetrics {
    const SCOPE: Option<Scope> = Some(Scope::Metrics);
}
impl Requirement for Administer {
    const SCOPE: Option<Scope> = Some(Scope::Admin);
}

/// A principal that meets requirement `R`; taking one as a handler argument is what protects the route
/// (401 without credentials, 403 without the scope).
pub struct Authorized<R: Requirement> {
    pub principal: Principal,
    requirement: PhantomData<R>,
}

impl<R: Requirement> FromRequest for Authorized<R> {
    type Error = ApiError;
    type Future = Ready<Result<Authorized<R>, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let principal = req.extensions().get::<Principal>().cloned();
        ready(
            principal
                .ok_or_else(|| ApiError::Unauthenticated(NO_CREDENTIALS.into()))
                .and_then(|principal| {
                    if let Some(scope) = R::SCOPE {
                        principal.require(scope)?;
                    }
                    Ok(Authorized {
                        principal,
                        requirement: PhantomData,
                    })
                }),
        )
    }
}
