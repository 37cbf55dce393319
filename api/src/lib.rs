//! Sessions Console: the REST API over the sessions database, and the server of the web console.

pub mod allowed_methods;
pub mod auth;
pub mod blocking;
pub mod cli;
pub mod client;
pub mod clock;
pub mod config;
pub mod db;
pub mod dispatcher;
pub mod error;
pub mod event_wakeup;
pub mod events;
pub mod export;
pub mod openapi;
mod openapi_links;
pub mod problem_responses;
pub mod rfc3339;
pub mod routes;
mod security_headers;
pub mod simulator;
pub mod slots;
pub mod startup;
mod static_files;
pub mod tls;
pub mod usage;
pub mod watchdog;
