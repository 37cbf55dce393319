//! Live updates: one `EventSource` on `GET /api/v1/events` for as long as the component that opens it
//! lives. Not an HTTP call through `api.rs`: the browser sends the cookie, and reconnects with
//! `Last-Event-ID`, by itself.
//!
//! When the browser gives up (the server refused the stream: 401 once the sign-in ended), `GET /auth/me`
//! asks whether the sign-in is gone, which takes whoever is signed out to the sign-in page; otherwise the
//! stream is opened again a little later, after the last event heard.
//!
//! A server that stops ends the stream with a `reconnect` event: the stream is opened again at once,
//! after the last event heard (behind a load balancer, it reaches another node), rather than leaving the
//! browser to retry the stopping server.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use shared::{RECONNECT_EVENT, SESSION_EVENT, SessionEvent};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::api;

/// How long to wait before opening a stream the browser gave up on again.
const REOPEN_AFTER: Duration = Duration::from_secs(10);

/// Where the stream stands, as the live indicator shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveState {
    Connecting,
    Open,
    /// Given up on; opened again later unless the sign-in ended.
    Closed,
}

impl LiveState {
    pub fn as_str(self) -> &'static str {
        match self {
            LiveState::Connecting => "connecting",
            LiveState::Open => "open",
            LiveState::Closed => "closed",
        }
    }
}

/// Follows session events until the calling component goes away; `on_event` gets each one.
pub fn follow_sessions(on_event: impl Fn(SessionEvent) + 'static) -> ReadSignal<LiveState> {
    let state = RwSignal::new(LiveState::Connecting);
    let follower = Rc::new(Follower {
        state,
        on_event: Box::new(on_event),
        stream: RefCell::new(None),
        last_id: Cell::new(None),
        stopped: Cell::new(false),
    });
    Follower::open(&follower);
    let follower = SendWrapper::new(follower);
    on_cleanup(move || follower.stop());
    state.read_only()
}

struct Follower {
    state: RwSignal<LiveState>,
    on_event: Box<dyn Fn(SessionEvent)>,
    stream: RefCell<Option<Stream>>,
    /// The id of the last event heard, to go on from when the stream is opened again.
    last_id: Cell<Option<i64>>,
    stopped: Cell<bool>,
}

/// An open `EventSource` and the listeners it calls, which must live as long as it does.
struct Stream {
    source: web_sys::EventSource,
    _listeners: [Closure<dyn FnMut(web_sys::Event)>; 4],
}

impl Follower {
    fn open(this: &Rc<Follower>) {
        let url = match this.last_id.get() {
            Some(id) => format!("/api/v1/events?last_event_id={id}"),
            None => "/api/v1/events".to_owned(),
        };
        let Ok(source) = web_sys::EventSource::new(&url) else {
            this.state.set(LiveState::Closed);
            return;
        };
        this.state.set(LiveState::Connecting);
        let listener = |run: fn(&Rc<Follower>, web_sys::Event)| {
            let follower = Rc::downgrade(this);
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event| {
                if let Some(follower) = follower.upgrade() {
                    run(&follower, event);
                }
            })
        };
        let listeners = [
            listener(|f, _| f.state.set(LiveState::Open)),
            listener(|f, event| f.heard(event)),
            listener(|f, _| Follower::failed(f)),
            listener(|f, _| Follower::reopen(f)),
        ];
        for (name, listener) in ["open", SESSION_EVENT, "error", RECONNECT_EVENT]
            .iter()
            .zip(&listeners)
        {
            // Cannot fail: the listener is a function.
            let _ =
                source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        }
        this.stream.replace(Some(Stream {
            source,
            _listeners: listeners,
        }));
    }

    fn heard(&self, event: web_sys::Event) {
        let Some(data) = event
            .dyn_ref::<web_sys::MessageEvent>()
            .and_then(|message| message.data().as_string())
        else {
            return;
        };
        // An event this console cannot read (a newer server) is skipped, not fatal.
        if let Ok(event) = serde_json::from_str::<SessionEvent>(&data) {
            self.last_id.set(Some(event.id));
            (self.on_event)(event);
        }
    }

    fn failed(this: &Rc<Follower>) {
        let closed = this
            .stream
            .borrow()
            .as_ref()
            .is_none_or(|stream| stream.source.ready_state() == web_sys::EventSource::CLOSED);
        if !closed {
            // The browser reconnects by itself.
            this.state.set(LiveState::Connecting);
            return;
        }
        this.state.set(LiveState::Closed);
        this.close();
        let follower = Rc::downgrade(this);
        spawn_local(async move {
            // A 401 here signs the console out, and this page goes away.
            if let Err(error) = api::me().await
                && error.status() == Some(401)
            {
                return;
            }
            set_timeout(
                move || {
                    if let Some(follower) = follower.upgrade()
                        && !follower.stopped.get()
                    {
                        Follower::open(&follower);
                    }
                },
                REOPEN_AFTER,
            );
        });
    }

    /// The server is stopping: open the stream again now, after the last event heard.
    fn reopen(this: &Rc<Follower>) {
        this.close();
        if !this.stopped.get() {
            Follower::open(this);
        }
    }

    fn close(&self) {
        if let Some(stream) = self.stream.take() {
            stream.source.close();
            // Dropped later: this may run inside one of its listeners, which must not be freed mid-call.
            spawn_local(async move { drop(stream) });
        }
    }

    fn stop(&self) {
        self.stopped.set(true);
        self.close();
    }
}
