//! Who is signed in, shared by every page through the context.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::{Identity, Scope};

use crate::api::{self, ApiError};
use crate::route::{Route, next_from_search};
use crate::router::Router;

/// What the console knows about the sign-in.
#[derive(Debug, Clone, PartialEq)]
pub enum SignIn {
    /// Asking the server, at start-up.
    Checking,
    /// The server could not say (down, or an unexpected answer).
    Unknown(ApiError),
    SignedIn(Identity),
    SignedOut,
}

/// The sign-in as a signal; `api` is told its CSRF token whenever it changes.
#[derive(Clone, Copy)]
pub struct Auth {
    state: RwSignal<SignIn>,
}

impl Auth {
    pub fn new() -> Auth {
        Auth {
            state: RwSignal::new(SignIn::Checking),
        }
    }

    pub fn state(&self) -> ReadSignal<SignIn> {
        self.state.read_only()
    }

    /// The signed-in identity, if any.
    pub fn identity(&self) -> Option<Identity> {
        self.state.with(|state| match state {
            SignIn::SignedIn(identity) => Some(identity.clone()),
            _ => None,
        })
    }

    /// Whether the signed-in identity may do `scope` (no one signed in may do nothing).
    pub fn may(&self, scope: Scope) -> bool {
        self.state
            .with(|state| matches!(state, SignIn::SignedIn(identity) if identity.may(scope)))
    }

    pub fn signed_in(&self, identity: Identity) {
        api::set_csrf_token(identity.csrf_token.clone());
        self.state.set(SignIn::SignedIn(identity));
    }

    pub fn signed_out(&self) {
        api::set_csrf_token(None);
        if self.state.with_untracked(|s| *s != SignIn::SignedOut) {
            self.state.set(SignIn::SignedOut);
        }
    }

    /// Asks the server who is signed in (the cookie survives a reload, the CSRF token does not). Someone
    /// already signed in who opens the sign-in page goes on to where it would have sent them.
    pub fn check(&self, router: Router) {
        let auth = *self;
        auth.state.set(SignIn::Checking);
        spawn_local(async move {
            match api::me().await {
                Ok(identity) => {
                    auth.signed_in(identity);
                    if router.route().get_untracked() == Route::Login {
                        router.replace(&next_from_search(&router.search().get_untracked()));
                    }
                }
                Err(error) if error.status() == Some(401) => auth.signed_out(),
                Err(error) => auth.state.set(SignIn::Unknown(error)),
            }
        });
    }
}
