//! A form that sends one request at a time: busy while it is on the way, and why the last one failed.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;

#[derive(Clone, Copy)]
pub struct Submission {
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl Submission {
    pub fn new() -> Submission {
        Submission {
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Sends what `checked` holds, unless a request is on the way or the check failed (its text is then
    /// the error). On success runs `done`; on failure the error is `failed` and the API's reason.
    pub fn send<R, T, F>(
        self,
        checked: Result<R, String>,
        request: impl FnOnce(R) -> F + 'static,
        failed: &'static str,
        done: impl FnOnce(T) + 'static,
    ) where
        R: 'static,
        F: Future<Output = Result<T, ApiError>> + 'static,
    {
        if self.busy.get_untracked() {
            return;
        }
        let checked = match checked {
            Ok(checked) => checked,
            Err(text) => {
                self.error.set(Some(text));
                return;
            }
        };
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            let outcome = request(checked).await;
            self.busy.set(false);
            match outcome {
                Ok(answer) => done(answer),
                Err(failure) => self.error.set(Some(format!("{failed} {failure}"))),
            }
        });
    }
}
